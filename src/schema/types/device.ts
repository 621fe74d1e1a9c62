import { attr, type SchemaDefinition } from '../attribute.ts';
import { MAX_NAME_LENGTH } from '../lengths.ts';
import type { ResourceTypeSpec } from './spec.ts';

/**
 * Devices (RFC 9944, Device Schema Extensions to the SCIM Model): the core Device schema and the
 * bootstrapping extensions the RFC defines, each an extension of the Device resource type. Secrets
 * (a Wi-Fi Easy Connect bootstrap key, a FIDO voucher, a BLE identity resolving key) are writeOnly
 * and never returned, as User.password is. Left out (docs/resource-types.md): the BLE pairing
 * methods' own objects, which RFC 9944 nests under URN-named keys inside the BLE extension (an
 * attribute name cannot be a URN, RFC 7643 §2.1), so `pairingMethods` lists the methods without
 * their keys; and the EndpointApp resource type, which `applications` refers to.
 */

export const DEVICE_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:Device';
export const BLE_SCHEMA_ID = 'urn:ietf:params:scim:schemas:extension:ble:2.0:Device';
export const DPP_SCHEMA_ID = 'urn:ietf:params:scim:schemas:extension:dpp:2.0:Device';
export const ETHERNET_MAB_SCHEMA_ID = 'urn:ietf:params:scim:schemas:extension:ethernet-mab:2.0:Device';
export const FDO_SCHEMA_ID = 'urn:ietf:params:scim:schemas:extension:fido-device-onboard:2.0:Device';
export const ZIGBEE_SCHEMA_ID = 'urn:ietf:params:scim:schemas:extension:zigbee:2.0:Device';
export const ENDPOINT_APPS_SCHEMA_ID = 'urn:ietf:params:scim:schemas:extension:endpointAppsExt:2.0:Device';

const secret = (name: string, description: string) =>
  attr(name, 'string', { caseExact: true, mutability: 'writeOnly', returned: 'never', description });
const strings = (name: string, description: string, required = false) => attr(name, 'string', { multiValued: true, required, description });

export const DEVICE_SCHEMA: SchemaDefinition = {
  id: DEVICE_SCHEMA_ID,
  name: 'Device',
  description: 'Device',
  attributes: [
    attr('displayName', 'string', { maxLength: MAX_NAME_LENGTH, description: 'A human-readable name of the device.' }),
    attr('active', 'boolean', { required: true, description: 'Whether the device may be onboarded and used.' }),
    attr('mudUrl', 'reference', {
      caseExact: true,
      referenceTypes: ['uri'],
      description: 'The URL of the Manufacturer Usage Description (RFC 8520) of the device.',
    }),
  ],
};

const BLE_SCHEMA: SchemaDefinition = {
  id: BLE_SCHEMA_ID,
  name: 'BleDevice',
  description: 'Bluetooth Low Energy',
  attributes: [
    strings('versionSupport', 'The BLE versions the device supports.', true),
    attr('deviceMacAddress', 'string', { required: true, description: 'The public or random MAC address of the device.' }),
    attr('isRandom', 'boolean', { required: true, description: 'Whether deviceMacAddress is a random address.' }),
    strings('separateBroadcastAddress', 'Addresses the device also advertises from.'),
    secret('irk', 'The identity resolving key of a device with a random address.'),
    attr('mobility', 'boolean', { description: 'Whether the device moves between access points.' }),
    strings('pairingMethods', 'The pairing methods the device supports, by schema URN.'),
  ],
};

const DPP_SCHEMA: SchemaDefinition = {
  id: DPP_SCHEMA_ID,
  name: 'DppDevice',
  description: 'Wi-Fi Easy Connect (Device Provisioning Protocol)',
  attributes: [
    attr('dppVersion', 'integer', { required: true, description: 'The DPP version the device supports.' }),
    strings('bootstrappingMethod', 'How the bootstrap key was obtained (QR, NFC, …).'),
    secret('bootstrapKey', 'The public bootstrap key of the device.'),
    attr('deviceMacAddress', 'string', { description: 'The MAC address of the device.' }),
    strings('classChannel', 'Global operating classes and channels the device may use.'),
    attr('serialNumber', 'string', { description: 'The serial number of the device.' }),
  ],
};

const ETHERNET_MAB_SCHEMA: SchemaDefinition = {
  id: ETHERNET_MAB_SCHEMA_ID,
  name: 'EthernetMabDevice',
  description: 'Ethernet MAC Authentication Bypass',
  attributes: [attr('deviceMacAddress', 'string', { required: true, description: 'The MAC address of the device.' })],
};

const FDO_SCHEMA: SchemaDefinition = {
  id: FDO_SCHEMA_ID,
  name: 'FdoDevice',
  description: 'FIDO Device Onboard',
  attributes: [secret('fdoVoucher', 'The FDO ownership voucher of the device.')],
};

const ZIGBEE_SCHEMA: SchemaDefinition = {
  id: ZIGBEE_SCHEMA_ID,
  name: 'ZigbeeDevice',
  description: 'Zigbee',
  attributes: [
    strings('versionSupport', 'The Zigbee versions the device supports.', true),
    attr('deviceEui64Address', 'string', { required: true, description: 'The EUI-64 address of the device.' }),
  ],
};

const ENDPOINT_APPS_SCHEMA: SchemaDefinition = {
  id: ENDPOINT_APPS_SCHEMA_ID,
  name: 'EndpointAppsDevice',
  description: 'The applications that control the device and receive its telemetry',
  attributes: [
    attr('deviceControlEnterpriseEndpoint', 'reference', {
      caseExact: true,
      referenceTypes: ['uri'],
      description: 'The URL of the enterprise application that controls the device.',
    }),
    attr('telemetryEnterpriseEndpoint', 'reference', {
      caseExact: true,
      referenceTypes: ['uri'],
      description: "The URL of the enterprise application that receives the device's telemetry.",
    }),
    attr('applications', 'complex', {
      multiValued: true,
      description: 'The endpoint applications (EndpointApp resources) the device works with.',
      subAttributes: [
        attr('value', 'string', { caseExact: true, description: 'The id of the EndpointApp.' }),
        attr('$ref', 'reference', { caseExact: true, referenceTypes: ['EndpointApp'], description: 'The URI of the EndpointApp.' }),
      ],
    }),
  ],
};

const EXTENSIONS = [BLE_SCHEMA, DPP_SCHEMA, ETHERNET_MAB_SCHEMA, FDO_SCHEMA, ZIGBEE_SCHEMA, ENDPOINT_APPS_SCHEMA];

export const DEVICE_TYPE: ResourceTypeSpec = {
  resourceType: {
    id: 'Device',
    name: 'Device',
    endpoint: '/Devices',
    description: 'Device',
    schema: DEVICE_SCHEMA_ID,
    schemaExtensions: EXTENSIONS.map((s) => ({ schema: s.id, required: false })),
  },
  schemas: [DEVICE_SCHEMA, ...EXTENSIONS],
  optional: true,
  storage: 'generic',
  noun: 'device',
  indexed: 'displayName',
  names: ['displayName'],
};
