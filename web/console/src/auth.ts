// Sign-in: against the local runner's issuer, or Cognito (USER_PASSWORD_AUTH over
// HTTPS), as /agent/config.json says. The access token lives in sessionStorage only.

interface LocalConfig {
  auth: "local";
  token_url: string;
  poll_seconds?: number;
}
interface CognitoConfig {
  auth: "cognito";
  region: string;
  client_id: string;
  poll_seconds?: number;
}
export type ConsoleConfig = LocalConfig | CognitoConfig;

const KEY = "helpdesk.session";

interface Session {
  token: string;
  expires: number;
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: "no-store" });
  if (!response.ok) throw new Error("The console's config.json is missing.");
  return (await response.json()) as ConsoleConfig;
}

export function token(): string | null {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as Session;
    return s.expires > Date.now() + 30_000 ? s.token : null;
  } catch {
    return null;
  }
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
}

function remember(accessToken: string, expiresIn: number): void {
  sessionStorage.setItem(
    KEY,
    JSON.stringify({ token: accessToken, expires: Date.now() + expiresIn * 1000 }),
  );
}

export type SignInResult =
  | { ok: true }
  | { ok: false; message: string; newPasswordSession?: string };

export async function signIn(
  config: ConsoleConfig,
  username: string,
  password: string,
): Promise<SignInResult> {
  return config.auth === "local"
    ? localSignIn(config, username, password)
    : cognito(config, username, password);
}

async function localSignIn(
  config: LocalConfig,
  username: string,
  password: string,
): Promise<SignInResult> {
  const response = await fetch(config.token_url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (!response.ok) return { ok: false, message: "Wrong user name or password." };
  const body = (await response.json()) as { access_token: string; expires_in: number };
  remember(body.access_token, body.expires_in);
  return { ok: true };
}

async function cognitoCall(
  config: CognitoConfig,
  target: string,
  payload: unknown,
): Promise<Response> {
  return fetch(`https://cognito-idp.${config.region}.amazonaws.com/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `AWSCognitoIdentityProviderService.${target}`,
    },
    body: JSON.stringify(payload),
  });
}

interface CognitoAnswer {
  AuthenticationResult?: { AccessToken: string; ExpiresIn: number };
  ChallengeName?: string;
  Session?: string;
  message?: string;
}

async function cognito(
  config: CognitoConfig,
  username: string,
  password: string,
): Promise<SignInResult> {
  const response = await cognitoCall(config, "InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH",
    ClientId: config.client_id,
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
  return cognitoResult(response);
}

async function cognitoResult(response: Response): Promise<SignInResult> {
  const body = (await response.json().catch(() => ({}))) as CognitoAnswer;
  if (body.AuthenticationResult) {
    remember(body.AuthenticationResult.AccessToken, body.AuthenticationResult.ExpiresIn);
    return { ok: true };
  }
  if (body.ChallengeName === "NEW_PASSWORD_REQUIRED" && body.Session) {
    return {
      ok: false,
      message: "Choose a new password to finish signing in.",
      newPasswordSession: body.Session,
    };
  }
  return {
    ok: false,
    message: response.ok
      ? "Sign-in needs a step this console does not support."
      : "Wrong user name or password.",
  };
}

/// The first sign-in of an account an admin created: Cognito asks for a new password.
export async function setNewPassword(
  config: ConsoleConfig,
  username: string,
  newPassword: string,
  session: string,
): Promise<SignInResult> {
  if (config.auth !== "cognito") return { ok: false, message: "Not needed here." };
  const response = await cognitoCall(config, "RespondToAuthChallenge", {
    ChallengeName: "NEW_PASSWORD_REQUIRED",
    ClientId: config.client_id,
    Session: session,
    ChallengeResponses: { USERNAME: username, NEW_PASSWORD: newPassword },
  });
  return cognitoResult(response);
}
