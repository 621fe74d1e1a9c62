import { OPTIONAL_TYPES } from '../../src/schema/types/catalogue.ts';
import { resourceTypeSuite } from './resource-type-suite.ts';

// Every optional type of the generic store passes the same suite (CRUD, filter, sort, PATCH,
// Bulk, ETags, paging, events), generated from its schema; GroupMembers has a suite of its own.
for (const spec of OPTIONAL_TYPES) if (spec.storage === 'generic') resourceTypeSuite(spec);
