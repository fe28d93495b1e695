// Wire types of the ThingSpace M2M API, as docs/thingspace-api.md describes them.
// Shared by the client and the simulator (the only thing they share).

/** One id of the sending device. `kind` is compared case-insensitively (docs/thingspace-api.md, "Device ids"). */
export interface DeviceId {
  kind: string;
  id: string;
}

/** One queued mobile-originated SMS, as `GET /sms/{accountName}/history` returns it (docs/thingspace-api.md, "SMS history"). */
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

/** The M2M error body (docs/thingspace-api.md, "Errors"). */
export interface M2MErrorBody {
  errorCode: string;
  errorMessage: string;
}

/** The WSO2 gateway fault body (docs/thingspace-api.md, "Errors"), e.g. code 900901 for an invalid bearer. */
export interface GatewayFaultBody {
  fault: { code: string | number; message: string; description?: string };
}

/** The OAuth error body (docs/thingspace-api.md, "Access token"). */
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

/** Callback listener registration (docs/thingspace-api.md, "Callback listeners"). */
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

/** The service name MO SMS are pushed to (docs/thingspace-api.md, "Callback listeners"). */
export const SMS_CALLBACK_SERVICE = 'EnhancedConnectivityService';

/** Paths, relative to the host root (docs/thingspace-api.md, "Hosts and paths"). */
export const TOKEN_PATH = '/api/ts/v1/oauth2/token';
export const M2M_ROOT = '/api/m2m/v1';

/** Billing account name pattern (Global-IoT SDK, docs/thingspace-api.md, "SMS history"). */
export const ACCOUNT_NAME_PATTERN = /^[A-Za-z0-9-]{3,32}$/;

/** The service name delivery confirmations of sent SMS are pushed to (docs/thingspace-api.md, "Callback listeners"). */
export const SMS_DELIVERY_SERVICE = 'SMSDeliveryConfirmation';

/** `dataEncoding` of a sent SMS (docs/thingspace-api.md, "Sending SMS"); `7-bit` is ThingSpace's default. */
export const DATA_ENCODINGS = ['7-bit', '8-bit-ASCII', '8-bit-UTF-8', '8-bit-DATA'] as const;
export type DataEncoding = (typeof DATA_ENCODINGS)[number];

/** The body of `POST /sms` (docs/thingspace-api.md, "Sending SMS"): one way of choosing the target. */
export interface SmsSendRequest {
  accountName: string;
  smsMessage: string;
  deviceIds?: DeviceId[];
  groupName?: string;
  servicePlan?: string;
  customFields?: Array<{ key: string; value: string }>;
  dataEncoding?: DataEncoding;
  timeToLive?: string;
}

/** The answer to `POST /sms`: ThingSpace queued the SMS under this id. */
export interface SmsSendResponse {
  requestId: string;
}
