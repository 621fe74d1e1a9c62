import type { FunctionComponent } from 'preact';
import { ApiPage } from './pages/api.tsx';
import { AuditPage } from './pages/audit.tsx';
import { EventsPage } from './pages/events.tsx';
import { OAuthClientsPage } from './pages/oauth-clients.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { PasswordVerifyPage } from './pages/password-verify.tsx';
import { RequestPage, RequestsPage } from './pages/requests.tsx';
import { ResourceTypesPage } from './pages/resource-types.tsx';
import { ResourcePage, ResourcesPage } from './pages/resources.tsx';
import { SchemasPage } from './pages/schemas.tsx';
import { SetupPage } from './pages/setup.tsx';
import { TenantsPage } from './pages/tenants.tsx';
import { TokensPage } from './pages/tokens.tsx';
import { TypedResourcesPage } from './pages/typed-resources.tsx';

export interface PageProps {
  readonly name?: string;
  readonly id?: string;
}

/**
 * Every page of the console: its path, its title in the navigation, and whether a customer's
 * setup session may open it. A new page (say, for a new admin route) is one entry here.
 */
export interface Page {
  readonly path: string;
  readonly title: string;
  readonly component: FunctionComponent<PageProps>;
  /** Listed in the tenant's navigation (pages whose path starts with /tenants/:name). */
  readonly tenantNav?: boolean;
  /** A customer's setup session sees it (only for its own tenant). */
  readonly setup?: boolean;
}

export const PAGES: readonly Page[] = [
  { path: '/', title: 'Tenants', component: TenantsPage },
  { path: '/audit', title: 'Audit log', component: AuditPage },
  { path: '/tenants/:name', title: 'Overview', component: OverviewPage, tenantNav: true },
  { path: '/tenants/:name/setup', title: 'Setup guide', component: SetupPage, tenantNav: true, setup: true },
  { path: '/tenants/:name/tokens', title: 'Tokens', component: TokensPage, tenantNav: true, setup: true },
  { path: '/tenants/:name/password-checks', title: 'Password checks', component: PasswordVerifyPage, tenantNav: true },
  { path: '/tenants/:name/oauth-clients', title: 'OAuth clients', component: OAuthClientsPage, tenantNav: true, setup: true },
  { path: '/tenants/:name/users', title: 'Users', component: ResourcesPage, tenantNav: true, setup: true },
  { path: '/tenants/:name/users/:id', title: 'User', component: ResourcePage, setup: true },
  { path: '/tenants/:name/groups', title: 'Groups', component: ResourcesPage, tenantNav: true },
  { path: '/tenants/:name/groups/:id', title: 'Group', component: ResourcePage },
  { path: '/tenants/:name/schemas', title: 'Custom attributes', component: SchemasPage, tenantNav: true },
  { path: '/tenants/:name/resource-types', title: 'Resource types', component: ResourceTypesPage, tenantNav: true },
  { path: '/tenants/:name/types/:id', title: 'Resources', component: TypedResourcesPage },
  { path: '/tenants/:name/requests', title: 'Request log', component: RequestsPage, tenantNav: true, setup: true },
  { path: '/tenants/:name/requests/:id', title: 'Request', component: RequestPage, setup: true },
  { path: '/tenants/:name/events', title: 'Events', component: EventsPage, tenantNav: true },
  { path: '/tenants/:name/api', title: 'SCIM API', component: ApiPage, tenantNav: true, setup: true },
];
