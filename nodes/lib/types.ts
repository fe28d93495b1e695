// Wire types of the ThingSpace M2M API, as thingspace-api.md describes them.
// Shared by the client and the simulator (the only thing they share).

/** One id of the sending device. `kind` is compared case-insensitively (api §4.4). */
export interface DeviceId {
  kind: string;
  id: string;
}

/** One queued mobile-originated SMS, as `GET /sms/{accountName}/history` returns it (api §4.2). */
export interface SmsMessage {
  deviceIds: DeviceId[];
  message: string;
  timestamp: string;
}

/** Body of a history response. 200 <=> hasMoreData false, 202 <=> true; Verizon's SDK
 *  models mark hasMoreData optional, and the status is what counts. */
export interface HistoryResponseBody {
  hasMoreData?: boolean;
  messages: SmsMessage[];
}

/** The M2M error body (api §7.1). */
export interface M2MErrorBody {
  errorCode: string;
  errorMessage: string;
}

/** The WSO2 gateway fault body (api §7.1), e.g. code 900901 for an invalid bearer. */
export interface GatewayFaultBody {
  fault: { code: string | number; message: string; description?: string };
}

/** The OAuth error body (api §3.1). */
export interface OAuthErrorBody {
  error: string;
  error_description?: string;
}

export interface OAuthTokenBody {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
}

export interface SessionLoginBody {
  sessionToken: string;
}

/** Callback listener registration (api §6.1). */
export interface CallbackRegistration {
  name: string;
  url: string;
  username?: string;
  password?: string;
}

export interface CallbackListener {
  accountName: string;
  serviceName: string;
  url: string;
  username?: string;
  password?: string;
}

export interface CallbackActionResult {
  accountName: string;
  serviceName: string;
}

/** The service name MO SMS are pushed to (api §6.1). */
export const SMS_CALLBACK_SERVICE = 'EnhancedConnectivityService';

/** Paths, relative to the host root (api §2). */
export const TOKEN_PATH = '/api/ts/v1/oauth2/token';
export const M2M_ROOT = '/api/m2m/v1';

/** Billing account name pattern (Global-IoT SDK, api §4.1). */
export const ACCOUNT_NAME_PATTERN = /^[A-Za-z0-9-]{3,32}$/;
