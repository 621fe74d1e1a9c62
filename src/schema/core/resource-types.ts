import type { ResourceTypeDefinition } from '../attribute.ts';
import { ENTERPRISE_USER_SCHEMA_ID } from './enterprise-user.ts';
import { GROUP_SCHEMA_ID } from './group.ts';
import { USER_SCHEMA_ID } from './user.ts';

export const USER_RESOURCE_TYPE: ResourceTypeDefinition = {
  id: 'User',
  name: 'User',
  endpoint: '/Users',
  description: 'User Account',
  schema: USER_SCHEMA_ID,
  schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA_ID, required: false }],
};

export const GROUP_RESOURCE_TYPE: ResourceTypeDefinition = {
  id: 'Group',
  name: 'Group',
  endpoint: '/Groups',
  description: 'Group',
  schema: GROUP_SCHEMA_ID,
  schemaExtensions: [],
};
