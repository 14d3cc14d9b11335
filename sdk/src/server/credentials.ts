/** What a customer back end holds: its AppKey and one of its AppSecrets. */
export interface AppSecretCredentials {
  appKey: string;
  appSecret: string;
}

/**
 * An access token with the admin grant (minted with the AppSecret elsewhere): a tool holding it can
 * call the API without the secret. A token for one room reaches only that room's routes; app-wide
 * routes need a token for room `*`; it cannot mint tokens.
 */
export interface AdminTokenCredentials {
  token: string;
}

export type AppCredentials = AppSecretCredentials | AdminTokenCredentials;
