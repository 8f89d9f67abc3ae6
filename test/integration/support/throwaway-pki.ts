import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runOk } from '../../../scripts/fleet/exec.js';

/**
 * A certificate authority made for one test run with Debian's `openssl` CLI: a CA, a server
 * certificate for the IP 127.0.0.1 only (so `localhost` does not match it), a client
 * certificate for accounts that `REQUIRE X509`, a server certificate for the name `localhost`
 * only, and a second CA that signed nothing of these.
 * Keys are unencrypted EC P-256 PEM files, valid two days, in the folder given.
 */
export interface ThrowawayPki {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A CA that did not sign the server's certificate. */
  readonly otherCaCert: string;
  /** Signed by the CA, for the name `localhost` only: an impostor for 127.0.0.1. */
  readonly localhostCert: string;
  readonly localhostKey: string;
}

const KEY_OPTIONS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const OPENSSL_TIMEOUT_MS = 30_000;

async function selfSignedCa(folder: string, name: string): Promise<{ cert: string; key: string }> {
  const cert = join(folder, `${name}.crt`);
  const key = join(folder, `${name}.key`);
  await runOk(
    'openssl',
    [
      'req',
      '-x509',
      ...KEY_OPTIONS,
      '-days',
      '2',
      '-subj',
      `/CN=dbwave throwaway ${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { timeoutMs: OPENSSL_TIMEOUT_MS },
  );
  return { cert, key };
}

async function signedLeaf(
  folder: string,
  name: string,
  ca: { cert: string; key: string },
  extensions: readonly string[],
): Promise<{ cert: string; key: string }> {
  const cert = join(folder, `${name}.crt`);
  const key = join(folder, `${name}.key`);
  const request = join(folder, `${name}.csr`);
  const extensionFile = join(folder, `${name}.ext`);
  await writeFile(extensionFile, `${extensions.join('\n')}\n`);
  await runOk(
    'openssl',
    ['req', '-new', ...KEY_OPTIONS, '-subj', `/CN=dbwave ${name}`, '-keyout', key, '-out', request],
    {
      timeoutMs: OPENSSL_TIMEOUT_MS,
    },
  );
  await runOk(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      request,
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-set_serial',
      `0x${Date.now().toString(16)}${name.length}`,
      '-days',
      '2',
      '-extfile',
      extensionFile,
      '-out',
      cert,
    ],
    { timeoutMs: OPENSSL_TIMEOUT_MS },
  );
  return { cert, key };
}

export async function makeThrowawayPki(folder: string): Promise<ThrowawayPki> {
  const ca = await selfSignedCa(folder, 'ca');
  const other = await selfSignedCa(folder, 'other-ca');
  const server = await signedLeaf(folder, 'server', ca, [
    'subjectAltName=IP:127.0.0.1',
    'extendedKeyUsage=serverAuth',
  ]);
  const client = await signedLeaf(folder, 'client', ca, ['extendedKeyUsage=clientAuth']);
  const localhost = await signedLeaf(folder, 'localhost', ca, [
    'subjectAltName=DNS:localhost',
    'extendedKeyUsage=serverAuth',
  ]);
  return {
    caCert: ca.cert,
    serverCert: server.cert,
    serverKey: server.key,
    clientCert: client.cert,
    clientKey: client.key,
    otherCaCert: other.cert,
    localhostCert: localhost.cert,
    localhostKey: localhost.key,
  };
}
