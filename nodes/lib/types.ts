// Wire types of docs/thingspace-api.md: the only thing the client and the simulator share.

/** `kind` is compared case-insensitively (docs/thingspace-api.md, "Device ids"). */
export interface DeviceId {
  kind: string;
  id: string;
}

/** docs/thingspace-api.md, "SMS history". */
export interface SmsMessage {
  deviceIds: DeviceId[];
  message: string;
  timestamp: string;
}

/** hasMoreData is optional in Verizon's SDK models: the status (200 or 202) is what counts. */
export interface HistoryResponseBody {
  hasMoreData?: boolean;
  messages: SmsMessage[];
}

/** docs/thingspace-api.md, "Callback listeners". */
export interface CallbackListener {
  accountName: string;
  serviceName: string;
  url: string;
  username?: string;
  password?: string;
}

/** The body registering a listener names its service `name`. */
export type CallbackRegistration = Omit<CallbackListener, 'accountName' | 'serviceName'> & { name: string };

export type CallbackActionResult = Pick<CallbackListener, 'accountName' | 'serviceName'>;

/** MO SMS (and "sent to network" notices) are pushed to it. */
export const SMS_CALLBACK_SERVICE = 'EnhancedConnectivityService';

/** Relative to the host root (docs/thingspace-api.md, "Hosts and paths"). */
export const TOKEN_PATH = '/api/ts/v1/oauth2/token';
export const M2M_ROOT = '/api/m2m/v1';

/** From the Global-IoT SDK (docs/thingspace-api.md, "SMS history"). */
export const ACCOUNT_NAME_PATTERN = /^[A-Za-z0-9-]{3,32}$/;

export const SMS_DELIVERY_SERVICE = 'SMSDeliveryConfirmation';

/** `7-bit` is ThingSpace's default (docs/thingspace-api.md, "Sending SMS"). */
export const DATA_ENCODINGS = ['7-bit', '8-bit-ASCII', '8-bit-UTF-8', '8-bit-DATA'] as const;
export type DataEncoding = (typeof DATA_ENCODINGS)[number];

/** One way of choosing the target: `deviceIds` combines with no filter. */
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

export interface SmsSendResponse {
  requestId: string;
}
