/**
 * The dev app is found by name: `npm start` (infra/dev/dev-app.ts) creates it after the edge is
 * up, so its AppKey cannot be a binding fixed at start. The newest app with this name wins (a
 * wiped `.parley/` makes a new one; the old one stays in D1 but is no longer the dev app).
 */
export const DEV_APP_NAME = "dev app";
