/** What a customer back end holds: its AppKey and one of its AppSecrets. */
export interface AppCredentials {
  appKey: string;
  appSecret: string;
}
