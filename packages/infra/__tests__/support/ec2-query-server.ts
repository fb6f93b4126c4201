/**
 * A local HTTP server that speaks the EC2 Query API (form-encoded POST, XML answers in the
 * 2016-11-15 shapes of the EC2 API reference: DescribeInstancesResponse/reservationSet/
 * instancesSet, StartInstancesResponse/StopInstancesResponse with currentState/previousState,
 * and <Response><Errors><Error><Code>…</Code> for failures), backed by a FakeEc2Fleet. The real
 * @aws-sdk/client-ec2 — in tests and in a committed action bundle — talks to it through its
 * `endpoint` setting or AWS_ENDPOINT_URL_EC2.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeEc2Error, STATE_CODES, type FakeEc2Fleet, type FakeInstance } from './fake-ec2-fleet';

const XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function indexed(params: URLSearchParams, prefix: string): string[] {
  const values: string[] = [];
  for (let n = 1; params.has(`${prefix}.${n}`); n++) values.push(params.get(`${prefix}.${n}`)!);
  return values;
}

function filters(params: URLSearchParams): Array<{ name: string; values: string[] }> {
  const out: Array<{ name: string; values: string[] }> = [];
  for (let n = 1; params.has(`Filter.${n}.Name`); n++) {
    out.push({ name: params.get(`Filter.${n}.Name`)!, values: indexed(params, `Filter.${n}.Value`) });
  }
  return out;
}

function instanceXml(i: FakeInstance): string {
  const tags = Object.entries(i.tags)
    .map(([k, v]) => `<item><key>${esc(k)}</key><value>${esc(v)}</value></item>`)
    .join('');
  return [
    '<item>',
    `<instanceId>${i.instanceId}</instanceId>`,
    '<imageId>ami-0abcdef1234567890</imageId>',
    `<instanceState><code>${STATE_CODES[i.state]}</code><name>${i.state}</name></instanceState>`,
    `<privateDnsName>ip-${i.privateIp.replace(/\./g, '-')}.ec2.internal</privateDnsName>`,
    i.publicDnsName ? `<dnsName>${i.publicDnsName}</dnsName>` : '<dnsName/>',
    `<instanceType>${i.instanceType}</instanceType>`,
    `<launchTime>${i.launchTime.toISOString()}</launchTime>`,
    `<privateIpAddress>${i.privateIp}</privateIpAddress>`,
    i.publicIp ? `<ipAddress>${i.publicIp}</ipAddress>` : '',
    '<rootDeviceType>ebs</rootDeviceType>',
    tags ? `<tagSet>${tags}</tagSet>` : '',
    '</item>',
  ].join('');
}

function stateChangeXml(action: string, changes: Array<{ id: string; previous: string; current: string }>): string {
  const items = changes
    .map(
      (c) =>
        `<item><instanceId>${c.id}</instanceId><currentState><code>${STATE_CODES[c.current as keyof typeof STATE_CODES]}</code><name>${c.current}</name></currentState><previousState><code>${STATE_CODES[c.previous as keyof typeof STATE_CODES]}</code><name>${c.previous}</name></previousState></item>`,
    )
    .join('');
  return `<${action}Response xmlns="${XMLNS}"><requestId>${crypto.randomUUID()}</requestId><instancesSet>${items}</instancesSet></${action}Response>`;
}

export interface Ec2QueryServer {
  url: string;
  /** Requests whose Authorization header carried a SigV4 signature. */
  signedRequests: number;
  close(): Promise<void>;
}

export async function startEc2QueryServer(fleet: FakeEc2Fleet): Promise<Ec2QueryServer> {
  const state = { signed: 0 };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) state.signed++;
      const params = new URLSearchParams(body);
      const action = params.get('Action');
      const reply = (status: number, xml: string): void => {
        res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8' });
        res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
      };
      try {
        if (action === 'DescribeInstances') {
          const found = fleet.describe(indexed(params, 'InstanceId'), filters(params));
          const reservations = found
            .map(
              (i) =>
                `<item><reservationId>r-${i.instanceId.slice(2)}</reservationId><ownerId>123456789012</ownerId><groupSet/><instancesSet>${instanceXml(i)}</instancesSet></item>`,
            )
            .join('');
          reply(
            200,
            `<DescribeInstancesResponse xmlns="${XMLNS}"><requestId>${crypto.randomUUID()}</requestId><reservationSet>${reservations}</reservationSet></DescribeInstancesResponse>`,
          );
        } else if (action === 'StartInstances') {
          reply(200, stateChangeXml('StartInstances', fleet.start(indexed(params, 'InstanceId'))));
        } else if (action === 'StopInstances') {
          reply(200, stateChangeXml('StopInstances', fleet.stop(indexed(params, 'InstanceId'))));
        } else {
          throw new FakeEc2Error('InvalidAction', `The action ${action} is not valid for this web service.`, 400);
        }
      } catch (error) {
        const e = error instanceof FakeEc2Error ? error : new FakeEc2Error('InternalError', String(error), 500);
        reply(
          e.status,
          `<Response><Errors><Error><Code>${e.code}</Code><Message>${esc(e.message)}</Message></Error></Errors><RequestID>${crypto.randomUUID()}</RequestID></Response>`,
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get signedRequests() {
      return state.signed;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
