import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Harness, startHarness } from '../helpers/harness.ts';

const DEVICE = 'urn:ietf:params:scim:schemas:core:2.0:Device';
const BLE = 'urn:ietf:params:scim:schemas:extension:ble:2.0:Device';
const DPP = 'urn:ietf:params:scim:schemas:extension:dpp:2.0:Device';
const MAB = 'urn:ietf:params:scim:schemas:extension:ethernet-mab:2.0:Device';
const FDO = 'urn:ietf:params:scim:schemas:extension:fido-device-onboard:2.0:Device';
const ZIGBEE = 'urn:ietf:params:scim:schemas:extension:zigbee:2.0:Device';
const APPS = 'urn:ietf:params:scim:schemas:extension:endpointAppsExt:2.0:Device';

/** Devices of RFC 9944's examples (as the UnboundID SCIM SDK's tests carry them), one per extension. */
const EXAMPLES: Record<string, Record<string, unknown>> = {
  ble: {
    schemas: [DEVICE, BLE],
    displayName: 'BLE Example Monitor',
    active: true,
    [BLE]: {
      versionSupport: ['5.4'],
      deviceMacAddress: '2C:54:91:88:C9:E2',
      isRandom: false,
      mobility: false,
      separateBroadcastAddress: ['AA:BB:88:77:22:11', 'AA:BB:88:77:22:12'],
    },
  },
  zigbee: {
    schemas: [DEVICE, ZIGBEE],
    displayName: 'Zigbee Example Monitor',
    active: true,
    mudUrl: 'https://example.com/lightbulbs/colour/v1',
    [ZIGBEE]: { versionSupport: ['3.0'], deviceEui64Address: '50:32:5F:FF:FE:E7:67:28' },
  },
  mab: { schemas: [DEVICE, MAB], displayName: 'Example Ethernet Device', active: true, [MAB]: { deviceMacAddress: '2C:54:91:88:C9:E2' } },
  apps: {
    schemas: [DEVICE, APPS],
    displayName: 'BLE Example Monitor',
    active: true,
    [APPS]: {
      deviceControlEnterpriseEndpoint: 'https://example.com/device_control_app_endpoint/',
      telemetryEnterpriseEndpoint: 'mqtts://example.com/telemetry_app_endpoint/',
      applications: [
        { value: 'e9e30dba-f08f-4109-8486-d5c6a3316212', $ref: 'https://example.com/v2/EndpointApps/e9e30dba-f08f-4109-8486-d5c6a3316212' },
        { value: 'e9e30dba-f08f-4109-8486-d5c6a3316333', $ref: 'https://example.com/v2/EndpointApps/e9e30dba-f08f-4109-8486-d5c6a3316333' },
      ],
    },
  },
};

describe('RFC 9944: Devices and their extensions', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.server.resourceTypes.enable('acme', ['Devices']);
  });
  after(async () => {
    await h.close();
  });

  for (const [name, example] of Object.entries(EXAMPLES)) {
    it(`the ${name} example round-trips: POST /Devices answers it as sent, and GET as POST did`, async () => {
      const created = await h.request('POST', '/Devices', { body: example });
      assert.equal(created.status, 201, created.raw);
      const { id, meta, ...shown } = created.body;
      assert.equal(meta.resourceType, 'Device');
      assert.deepEqual(shown, example);
      assert.deepEqual((await h.request('GET', `/Devices/${id}`)).body, created.body);
    });
  }

  it('secrets (a DPP bootstrap key, an FDO voucher) are accepted and never returned, in answers or events', async () => {
    const dpp = {
      schemas: [DEVICE, DPP],
      displayName: 'WiFi Example Monitor',
      active: true,
      [DPP]: {
        dppVersion: 2,
        bootstrappingMethod: ['QR'],
        bootstrapKey: 'V2F5IGJleW9uZCBjcmF6eSwgU2hhZHkgZ29uZQ==',
        deviceMacAddress: '2C:54:91:88:C9:F2',
        classChannel: ['81/1', '115/36'],
        serialNumber: '4774LH2b4044',
      },
    };
    const created = await h.request('POST', '/Devices', { body: dpp });
    assert.equal(created.status, 201, created.raw);
    assert.equal(created.body[DPP].bootstrapKey, undefined);
    assert.equal(created.body[DPP].serialNumber, '4774LH2b4044');
    const fdo = await h.request('POST', '/Devices', {
      body: { schemas: [DEVICE, FDO], displayName: 'Example FDO Device', active: true, [FDO]: { fdoVoucher: 'voucher' } },
    });
    assert.equal(fdo.status, 201, fdo.raw);
    assert.equal(fdo.body[FDO], undefined, 'an extension holding only secrets shows nothing');
    const feed = JSON.stringify((await h.request('GET', '/Events?after=0&count=1000')).body);
    assert.ok(!feed.includes('V2F5IGJleW9uZCBjcmF6eSwgU2hhZHkgZ29uZQ==') && !feed.includes('"voucher"'));
  });

  it('a device is found by an extension attribute, and one without the required active is refused', async () => {
    const found = await h.request(
      'GET',
      `/Devices?filter=${encodeURIComponent(`${ZIGBEE}:deviceEui64Address eq "50:32:5F:FF:FE:E7:67:28"`)}`,
    );
    assert.equal(found.body.totalResults, 1);
    assert.equal(found.body.Resources[0].displayName, 'Zigbee Example Monitor');
    const noActive = await h.request('POST', '/Devices', { body: { schemas: [DEVICE], displayName: 'x' } });
    assert.equal(noActive.status, 400);
    const bleWithoutMac = await h.request('POST', '/Devices', {
      body: { schemas: [DEVICE, BLE], active: true, [BLE]: { versionSupport: ['5.4'], isRandom: false } },
    });
    assert.equal(bleWithoutMac.status, 400, 'deviceMacAddress is required in the BLE extension');
  });
});
