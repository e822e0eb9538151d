/**
 * The in-page interface of CryptoPro CAdES Browser Plug-in (the usual way Russian qualified
 * certificates sign in a browser): its script puts a `cadesplugin` object on the window, a promise
 * that resolves once the extension answers, with `CreateObjectAsync` for the COM-like objects. We
 * only use what a detached CAdES-BES signature needs: the personal certificate store, a signer and
 * `CadesSignedData.SignCades(signer, CADESCOM_CADES_BES, detached = true)`, which yields the base64
 * of a detached CMS over the content — exactly what POST /api/documents/{id}/signatures takes.
 * The cabinet does not ship CryptoPro's script; where the consumer's setup provides it, it is used.
 */
interface AsyncObject {
  [name: string]: unknown;
}
type Awaitable<T> = T | Promise<T>;
interface CadesPlugin extends PromiseLike<void> {
  CreateObjectAsync(name: string): Promise<AsyncObject>;
}

const CAPICOM_CURRENT_USER_STORE = 2;
const CAPICOM_MY_STORE = 'My';
const CAPICOM_STORE_OPEN_MAXIMUM_ALLOWED = 2;
const CADESCOM_BASE64_TO_BINARY = 1;
const CADESCOM_CADES_BES = 1;

export interface PluginCertificate {
  index: number;
  subject: string;
  validTo: string;
  thumbprint: string;
}

export function findPlugin(): CadesPlugin | null {
  const plugin = (window as unknown as { cadesplugin?: CadesPlugin }).cadesplugin;
  return plugin && typeof plugin === 'object' && typeof plugin.CreateObjectAsync === 'function' ? plugin : null;
}

const get = async <T>(o: AsyncObject, name: string): Promise<T> => (await (o[name] as Awaitable<T>)) as T;
const run = async <T>(o: AsyncObject, name: string, ...args: unknown[]): Promise<T> => (await (o[name] as (...a: unknown[]) => Awaitable<T>)(...args)) as T;

async function openStore(plugin: CadesPlugin) {
  await plugin;
  const store = await plugin.CreateObjectAsync('CAdESCOM.Store');
  await run(store, 'Open', CAPICOM_CURRENT_USER_STORE, CAPICOM_MY_STORE, CAPICOM_STORE_OPEN_MAXIMUM_ALLOWED);
  return store;
}

/** The certificates of the personal store, as the plugin lists them. */
export async function listCertificates(plugin: CadesPlugin): Promise<PluginCertificate[]> {
  const store = await openStore(plugin);
  try {
    const certs = await get<AsyncObject>(store, 'Certificates');
    const count = await get<number>(certs, 'Count');
    const list: PluginCertificate[] = [];
    for (let i = 1; i <= count; i++) {
      const cert = await run<AsyncObject>(certs, 'Item', i);
      list.push({ index: i, subject: await get<string>(cert, 'SubjectName'), validTo: String(await get<unknown>(cert, 'ValidToDate')), thumbprint: await get<string>(cert, 'Thumbprint') });
    }
    return list;
  } finally {
    await run(store, 'Close');
  }
}

/** A detached CAdES-BES signature of `contentBase64` by the certificate at `index` of the personal store: base64 DER. */
export async function signDetached(plugin: CadesPlugin, index: number, contentBase64: string): Promise<string> {
  const store = await openStore(plugin);
  try {
    const certs = await get<AsyncObject>(store, 'Certificates');
    const cert = await run<AsyncObject>(certs, 'Item', index);
    const signer = await plugin.CreateObjectAsync('CAdESCOM.CPSigner');
    await run(signer, 'propset_Certificate', cert);
    const data = await plugin.CreateObjectAsync('CAdESCOM.CadesSignedData');
    await run(data, 'propset_ContentEncoding', CADESCOM_BASE64_TO_BINARY);
    await run(data, 'propset_Content', contentBase64);
    const signature = await run<string>(data, 'SignCades', signer, CADESCOM_CADES_BES, true);
    return signature.replace(/\s+/g, '');
  } finally {
    await run(store, 'Close');
  }
}
