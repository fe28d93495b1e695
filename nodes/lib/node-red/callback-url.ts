// The callback URL property of start-callbacks.
import { ReportedError, shortText } from './report';

/** The listener URL ThingSpace will POST to: http(s), no credentials in it. */
export function checkCallbackUrl(url: string): string | undefined {
  if (!url) return undefined;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ReportedError(`Invalid callback URL "${shortText(url)}"`, 'BAD_CONFIG');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ReportedError('The callback URL must be http(s)', 'BAD_CONFIG');
  if (u.username || u.password) throw new ReportedError('The callback URL must not carry credentials; use the config node callback credentials', 'BAD_CONFIG');
  return u.toString();
}

