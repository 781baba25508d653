// Sign-in with Cognito's user-pool API (USER_PASSWORD_AUTH over HTTPS), step by
// step as the pool asks: a new password on the first sign-in, setting up an
// authenticator app (MFA_SETUP), its code at every sign-in (SOFTWARE_TOKEN_MFA),
// and "forgot password". /agent/config.json says where the pool is: Cognito in the
// region, or the local runner's pool, which speaks the same protocol. The access
// token lives in sessionStorage only.

export interface ConsoleConfig {
  auth: "cognito";
  client_id: string;
  /** Cognito's regional endpoint is used unless an endpoint is given (local runner). */
  region?: string;
  endpoint?: string;
  poll_seconds?: number;
}

const KEY = "helpdesk.session";

interface Session {
  token: string;
  expires: number;
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: "no-store" });
  if (!response.ok) throw new Error("The console's config.json is missing.");
  const config = (await response.json()) as Partial<ConsoleConfig>;
  if (config.auth !== "cognito" || !config.client_id || !(config.region || config.endpoint)) {
    throw new Error("The console's config.json names no user pool (auth, client_id, region).");
  }
  return config as ConsoleConfig;
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

/** Where sign-in stands after a call. */
export type Step =
  | { kind: "done" }
  | { kind: "new-password"; session: string; user?: string }
  | { kind: "mfa"; session: string; user?: string }
  | { kind: "mfa-setup"; session: string; user?: string }
  | { kind: "failed"; message: string; startOver: boolean };

interface Answer {
  AuthenticationResult?: { AccessToken: string; ExpiresIn: number };
  ChallengeName?: string;
  /** USER_ID_FOR_SRP: the user name the pool wants in the answers. */
  ChallengeParameters?: Record<string, string>;
  Session?: string;
  SecretCode?: string;
  Status?: string;
  CodeDeliveryDetails?: { Destination?: string };
  __type?: string;
  message?: string;
}

/** What a refusal means to the agent; `startOver` when the password step must be repeated. */
function explain(answer: Answer): { message: string; startOver: boolean } {
  const kind = (answer.__type ?? "").split("#").pop() ?? "";
  const said = answer.message ?? "";
  switch (kind) {
    case "NotAuthorizedException":
      if (/session/i.test(said))
        return {
          message: "That took too long or too many codes were wrong. Sign in again.",
          startOver: true,
        };
      if (/temporary password has expired/i.test(said))
        return {
          message:
            "Your invitation has expired. Ask an admin to send it again (make agent with your address re-sends it).",
          startOver: true,
        };
      if (/attempts exceeded/i.test(said))
        return {
          message: "Too many wrong passwords. Wait a minute, then try again.",
          startOver: true,
        };
      if (/current state/i.test(said))
        return {
          message: "Sign in with the temporary password from your invitation first.",
          startOver: true,
        };
      return { message: "Wrong user name or password.", startOver: true };
    case "CodeMismatchException":
    case "EnableSoftwareTokenMFAException":
      return {
        message: "That code is not right. Check the code in your authenticator app.",
        startOver: false,
      };
    case "ExpiredCodeException":
      if (/already been used/i.test(said))
        return {
          message: "That code was just used. Wait for the next code in your app, then enter it.",
          startOver: false,
        };
      return { message: "The code has expired. Ask for a new one.", startOver: false };
    case "InvalidPasswordException":
      return {
        message:
          "Choose a password of at least 12 characters with lower and upper case letters and a digit.",
        startOver: false,
      };
    case "LimitExceededException":
    case "TooManyRequestsException":
      return { message: "Too many attempts. Wait a while and try again.", startOver: false };
    case "InvalidParameterException":
      return {
        message: "Sign-in is not set up for this account. Ask an admin.",
        startOver: true,
      };
    case "UserNotConfirmedException":
    case "PasswordResetRequiredException":
      return {
        message: "Your account needs a new password: use “Forgot password?”.",
        startOver: true,
      };
    default:
      return { message: "Sign-in failed. Try again in a moment.", startOver: true };
  }
}

async function call(
  config: ConsoleConfig,
  target: string,
  payload: Record<string, unknown>,
): Promise<{ ok: boolean; answer: Answer }> {
  const url = config.endpoint ?? `https://cognito-idp.${config.region}.amazonaws.com/`;
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": `AWSCognitoIdentityProviderService.${target}`,
      },
      body: JSON.stringify(payload),
    });
    const answer = (await response.json().catch(() => ({}))) as Answer;
    return { ok: response.ok, answer };
  } catch {
    return {
      ok: false,
      answer: { __type: "Network", message: "The sign-in service cannot be reached." },
    };
  }
}

function step({ ok, answer }: { ok: boolean; answer: Answer }): Step {
  if (!ok) return { kind: "failed", ...explain(answer) };
  if (answer.AuthenticationResult) {
    remember(answer.AuthenticationResult.AccessToken, answer.AuthenticationResult.ExpiresIn);
    return { kind: "done" };
  }
  const session = answer.Session ?? "";
  const user = answer.ChallengeParameters?.USER_ID_FOR_SRP;
  switch (answer.ChallengeName) {
    case "NEW_PASSWORD_REQUIRED":
      return { kind: "new-password", session, user };
    case "SOFTWARE_TOKEN_MFA":
      return { kind: "mfa", session, user };
    case "MFA_SETUP":
      return { kind: "mfa-setup", session, user };
    default:
      return {
        kind: "failed",
        message: "Sign-in needs a step this console does not support.",
        startOver: true,
      };
  }
}

export async function signIn(
  config: ConsoleConfig,
  username: string,
  password: string,
): Promise<Step> {
  return step(
    await call(config, "InitiateAuth", {
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: config.client_id,
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );
}

/** The first sign-in of an account an admin created: the pool asks for a new password. */
export async function setNewPassword(
  config: ConsoleConfig,
  username: string,
  newPassword: string,
  session: string,
): Promise<Step> {
  return step(
    await call(config, "RespondToAuthChallenge", {
      ChallengeName: "NEW_PASSWORD_REQUIRED",
      ClientId: config.client_id,
      Session: session,
      ChallengeResponses: { USERNAME: username, NEW_PASSWORD: newPassword },
    }),
  );
}

/** The six-digit code of the agent's authenticator app. */
export async function answerCode(
  config: ConsoleConfig,
  username: string,
  code: string,
  session: string,
): Promise<Step> {
  return step(
    await call(config, "RespondToAuthChallenge", {
      ChallengeName: "SOFTWARE_TOKEN_MFA",
      ClientId: config.client_id,
      Session: session,
      ChallengeResponses: { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: code.trim() },
    }),
  );
}

export type Setup =
  | { ok: true; secret: string; session: string }
  | { ok: false; message: string; startOver: boolean };

/** MFA_SETUP, first half: a new key for the agent's authenticator app. */
export async function newAuthenticatorKey(config: ConsoleConfig, session: string): Promise<Setup> {
  const { ok, answer } = await call(config, "AssociateSoftwareToken", { Session: session });
  if (ok && answer.SecretCode)
    return { ok: true, secret: answer.SecretCode, session: answer.Session ?? session };
  return { ok: false, ...explain(answer) };
}

/** MFA_SETUP, second half: the app's first code proves it has the key; then signed in. */
export async function confirmAuthenticator(
  config: ConsoleConfig,
  username: string,
  code: string,
  session: string,
): Promise<Step> {
  const verified = await call(config, "VerifySoftwareToken", {
    Session: session,
    UserCode: code.trim(),
    FriendlyDeviceName: "Authenticator app",
  });
  if (!verified.ok || verified.answer.Status !== "SUCCESS") {
    return { kind: "failed", ...explain(verified.answer) };
  }
  return step(
    await call(config, "RespondToAuthChallenge", {
      ChallengeName: "MFA_SETUP",
      ClientId: config.client_id,
      Session: verified.answer.Session ?? session,
      ChallengeResponses: { USERNAME: username },
    }),
  );
}

export type Sent = { ok: true; destination: string } | { ok: false; message: string };

/** "Forgot password": the pool mails a code (and answers alike for unknown users). */
export async function forgotPassword(config: ConsoleConfig, username: string): Promise<Sent> {
  const { ok, answer } = await call(config, "ForgotPassword", {
    ClientId: config.client_id,
    Username: username,
  });
  if (ok) return { ok: true, destination: answer.CodeDeliveryDetails?.Destination ?? "your email" };
  return { ok: false, message: explain(answer).message };
}

export async function resetPassword(
  config: ConsoleConfig,
  username: string,
  code: string,
  newPassword: string,
): Promise<{ ok: true } | { ok: false; message: string }> {
  const { ok, answer } = await call(config, "ConfirmForgotPassword", {
    ClientId: config.client_id,
    Username: username,
    ConfirmationCode: code.trim(),
    Password: newPassword,
  });
  return ok ? { ok: true } : { ok: false, message: explain(answer).message };
}

/** The link authenticator apps open (and the key they take by hand). */
export function authenticatorLink(secret: string, username: string): string {
  const label = encodeURIComponent(`Helpdesk:${username}`);
  return `otpauth://totp/${label}?secret=${secret}&issuer=Helpdesk`;
}
