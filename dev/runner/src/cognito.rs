//! The local stand-in for the agents' Cognito user pool, speaking Cognito's own
//! protocol (`POST` with `X-Amz-Target: AWSCognitoIdentityProviderService.<Op>`,
//! JSON 1.1) for the operations the console and `make admin` use, so the console
//! runs the same sign-in code here as against Cognito, challenges included.
//!
//! It keeps the deployed pool's settings (infra/template.yaml, `AgentUserPool`):
//! users are known by their email, the access token's `username` is the user's
//! `sub`, MFA with an authenticator app (TOTP) is required of everyone, the
//! password policy is 12 characters with lower and upper case and a digit, and an
//! unknown user is answered like a wrong password. Dev only; never deployed.
//! What it leaves out: refresh and ID tokens, SRP, SMS, devices, and IAM on the
//! admin operations (the runner takes `/dev/*` from this machine only).

use crate::auth::LocalIssuer;
use crate::totp;
use helpdesk_domain::EmailAddress;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// The pool and app client ids the local console and scripts use.
pub const POOL_ID: &str = "local_agents";
pub const CLIENT_ID: &str = "local-console";
/// How long a challenge's session lives (Cognito's default: 3 minutes).
const SESSION_SECONDS: i64 = 180;
/// Wrong answers one challenge session takes before it is spent.
const SESSION_TRIES: u8 = 3;
/// A reset code's life and the wrong codes it takes.
const RESET_SECONDS: i64 = 3600;
const RESET_TRIES: u8 = 5;
/// Reset codes one user may ask for per hour.
const RESETS_PER_HOUR: usize = 5;
/// How long an invitation's temporary password works (Cognito's default).
const TEMPORARY_PASSWORD_SECONDS: i64 = 7 * 24 * 3600;
/// Wrong passwords or codes in a row before sign-in pauses for this user.
const LOCK_AFTER: u8 = 5;
const LOCK_SECONDS: i64 = 60;
const GROUPS: [&str; 3] = ["agents", "supervisors", "admins"];

/// A demo login, as dev/runner/demo-data.json lists it: the agent's id is the
/// user's `sub` (so the demo records match), with a fixed authenticator secret.
#[derive(Debug, Clone, Deserialize)]
pub struct Login {
    pub agent: String,
    pub email: String,
    pub password: String,
    pub totp_secret: String,
    pub group: String,
}

/// An error as Cognito sends it: HTTP 400, `__type` and `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CognitoError {
    pub kind: &'static str,
    pub message: String,
}

fn fail<T>(kind: &'static str, message: &str) -> Result<T, CognitoError> {
    Err(CognitoError {
        kind,
        message: message.to_owned(),
    })
}

fn wrong_password<T>() -> Result<T, CognitoError> {
    fail("NotAuthorizedException", "Incorrect username or password.")
}

fn spent_session<T>() -> Result<T, CognitoError> {
    fail(
        "NotAuthorizedException",
        "Invalid session for the user, session is expired.",
    )
}

struct User {
    sub: String,
    email: String,
    salt: [u8; 16],
    password: [u8; 32],
    must_change_password: bool,
    /// When the temporary password stops working (first sign-in pending).
    invitation_expires: i64,
    totp_secret: Option<String>,
    /// The last 30-second step whose code was taken: Cognito takes a code once.
    last_code_step: i64,
    groups: Vec<String>,
    /// Wrong passwords and wrong codes since the last complete sign-in.
    failures: u8,
    locked_until: i64,
    reset: Option<Reset>,
    /// When each reset code was asked for (the last hour's).
    reset_requests: Vec<i64>,
}

struct Reset {
    code: [u8; 32],
    expires: i64,
    tries: u8,
}

#[derive(Clone)]
enum Step {
    NewPassword,
    MfaSetup {
        secret: Option<String>,
        verified: bool,
    },
    Mfa,
}

impl Step {
    fn name(&self) -> &'static str {
        match self {
            Self::NewPassword => "NEW_PASSWORD_REQUIRED",
            Self::MfaSetup { .. } => "MFA_SETUP",
            Self::Mfa => "SOFTWARE_TOKEN_MFA",
        }
    }
}

struct Pending {
    sub: String,
    step: Step,
    expires: i64,
    tries: u8,
}

/// A mail the pool sent (a reset code, an invitation).
#[derive(Debug, Clone)]
pub struct PoolMail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Default)]
struct State {
    users: Vec<User>,
    sessions: HashMap<String, Pending>,
}

pub struct UserPool {
    state: Mutex<State>,
    issuer: Arc<LocalIssuer>,
    /// Where its mail goes: the local SES, from this address.
    mailer: Option<(aws_sdk_sesv2::Client, String)>,
    /// Every mail it sent, newest last.
    sent: Mutex<Vec<PoolMail>>,
}

fn digest(salt: &[u8], secret: &str) -> [u8; 32] {
    Sha256::new()
        .chain_update(salt)
        .chain_update(secret.as_bytes())
        .finalize()
        .into()
}

fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Cognito's check against the template's password policy.
fn check_policy(password: &str) -> Result<(), CognitoError> {
    let missing = if password.chars().count() < 12 {
        Some("Password not long enough")
    } else if !password.chars().any(|c| c.is_ascii_lowercase()) {
        Some("Password must have lowercase characters")
    } else if !password.chars().any(|c| c.is_ascii_uppercase()) {
        Some("Password must have uppercase characters")
    } else if !password.chars().any(|c| c.is_ascii_digit()) {
        Some("Password must have numeric characters")
    } else {
        None
    };
    match missing {
        Some(why) => Err(CognitoError {
            kind: "InvalidPasswordException",
            message: format!("Password does not conform to policy: {why}"),
        }),
        None => Ok(()),
    }
}

/// `a***@e***`, as Cognito shows where a code went.
fn masked(email: &str) -> String {
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
    format!("{}***@{}***", first(local), first(domain))
}

fn text<'a>(input: &'a Value, field: &str) -> Result<&'a str, CognitoError> {
    input
        .get(field)
        .and_then(Value::as_str)
        .ok_or(CognitoError {
            kind: "InvalidParameterException",
            message: format!("Missing required parameter {field}"),
        })
}

fn session_id() -> String {
    format!(
        "{:032x}{:032x}",
        rand::random::<u128>(),
        rand::random::<u128>()
    )
}

impl UserPool {
    pub fn new(
        logins: &[Login],
        issuer: Arc<LocalIssuer>,
        mailer: Option<(aws_sdk_sesv2::Client, String)>,
    ) -> Self {
        let users = logins
            .iter()
            .map(|l| {
                let salt = rand::random();
                User {
                    sub: l.agent.clone(),
                    email: l.email.to_ascii_lowercase(),
                    salt,
                    password: digest(&salt, &l.password),
                    must_change_password: false,
                    invitation_expires: 0,
                    totp_secret: Some(l.totp_secret.clone()),
                    last_code_step: i64::MIN,
                    groups: vec![l.group.clone()],
                    failures: 0,
                    locked_until: 0,
                    reset: None,
                    reset_requests: Vec::new(),
                }
            })
            .collect();
        Self {
            state: Mutex::new(State {
                users,
                sessions: HashMap::new(),
            }),
            issuer,
            mailer,
            sent: Mutex::default(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The mail the pool sent, oldest first.
    pub fn sent(&self) -> Vec<PoolMail> {
        self.sent.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// One operation, as `X-Amz-Target` names it, at Unix time `now`.
    pub async fn call(&self, op: &str, input: &Value, now: i64) -> Result<Value, CognitoError> {
        let (answer, mail) = match op {
            "InitiateAuth" => (self.initiate_auth(input, now)?, None),
            "RespondToAuthChallenge" => (self.respond(input, now)?, None),
            "AssociateSoftwareToken" => (self.associate(input, now)?, None),
            "VerifySoftwareToken" => (self.verify(input, now)?, None),
            "ForgotPassword" => self.forgot_password(input, now)?,
            "ConfirmForgotPassword" => (self.confirm_forgot_password(input, now)?, None),
            "AdminCreateUser" => self.admin_create_user(input, now)?,
            "AdminAddUserToGroup" => (self.admin_group(input, true)?, None),
            "AdminRemoveUserFromGroup" => (self.admin_group(input, false)?, None),
            "AdminGetUser" => (self.admin_get_user(input)?, None),
            _ => {
                return fail(
                    "UnknownOperationException",
                    "The local user pool does not have this operation.",
                );
            }
        };
        if let Some(mail) = mail {
            self.send(mail).await;
        }
        Ok(answer)
    }

    /// Password and TOTP code in one go, through the same two steps the console
    /// takes: `(access token, seconds it lives)`.
    pub async fn sign_in(
        &self,
        name: &str,
        password: &str,
        code: &str,
        now: i64,
    ) -> Result<(String, i64), CognitoError> {
        let start = json!({"ClientId": CLIENT_ID, "AuthFlow": "USER_PASSWORD_AUTH",
                           "AuthParameters": {"USERNAME": name, "PASSWORD": password}});
        let first = self.call("InitiateAuth", &start, now).await?;
        if first["ChallengeName"] != "SOFTWARE_TOKEN_MFA" {
            return fail(
                "NotAuthorizedException",
                "This user has to finish signing in in the console first.",
            );
        }
        let respond = json!({"ClientId": CLIENT_ID, "ChallengeName": "SOFTWARE_TOKEN_MFA",
                             "Session": first["Session"],
                             "ChallengeResponses": {"USERNAME": name, "SOFTWARE_TOKEN_MFA_CODE": code}});
        // Scripts and tests sign in often; the console's path takes a code once.
        let answer = self.respond_checked(&respond, now, false)?;
        let result = &answer["AuthenticationResult"];
        match (result["AccessToken"].as_str(), result["ExpiresIn"].as_i64()) {
            (Some(t), Some(e)) => Ok((t.to_owned(), e)),
            _ => fail("NotAuthorizedException", "No token came back."),
        }
    }

    async fn send(&self, mail: PoolMail) {
        if let Some((ses, from)) = &self.mailer {
            let raw = format!(
                "From: Helpdesk sign-in <{from}>\r\nTo: <{}>\r\nSubject: {}\r\nDate: {}\r\nMessage-ID: <{}@local-pool>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n",
                mail.to,
                mail.subject,
                chrono::Utc::now().to_rfc2822(),
                session_id(),
                mail.body
            );
            let content = aws_sdk_sesv2::types::EmailContent::builder()
                .raw(
                    aws_sdk_sesv2::types::RawMessage::builder()
                        .data(aws_sdk_sesv2::primitives::Blob::new(raw))
                        .build()
                        .unwrap_or_else(|_| unreachable!("data is set")),
                )
                .build();
            let sent = ses
                .send_email()
                .from_email_address(from)
                .destination(
                    aws_sdk_sesv2::types::Destination::builder()
                        .to_addresses(&mail.to)
                        .build(),
                )
                .content(content)
                .send()
                .await;
            if let Err(e) = sent {
                tracing::warn!(error = %aws_sdk_sesv2::error::DisplayErrorContext(e), "the user pool's mail was not sent");
            }
        }
        if let Ok(mut sent) = self.sent.lock() {
            sent.push(mail);
        }
    }

    fn client(input: &Value) -> Result<(), CognitoError> {
        if text(input, "ClientId")? == CLIENT_ID {
            Ok(())
        } else {
            fail(
                "ResourceNotFoundException",
                "User pool client does not exist.",
            )
        }
    }

    fn pool(input: &Value) -> Result<(), CognitoError> {
        if text(input, "UserPoolId")? == POOL_ID {
            Ok(())
        } else {
            fail("ResourceNotFoundException", "User pool does not exist.")
        }
    }

    /// A user by email (any case: the pool is not case sensitive, as the
    /// template sets it) or by `sub`, as a pool with email user names takes
    /// either.
    fn find<'a>(users: &'a mut [User], name: &str) -> Option<&'a mut User> {
        let name = name.trim();
        users
            .iter_mut()
            .find(|u| u.sub == name || u.email.eq_ignore_ascii_case(name))
    }

    fn open(state: &mut State, sub: &str, step: Step, now: i64) -> Value {
        state.sessions.retain(|_, p| p.expires > now);
        let id = session_id();
        let name = step.name();
        let parameters = match &step {
            Step::MfaSetup { .. } => json!({"MFAS_CAN_SETUP": "[\"SOFTWARE_TOKEN_MFA\"]"}),
            _ => json!({"USER_ID_FOR_SRP": sub}),
        };
        state.sessions.insert(
            id.clone(),
            Pending {
                sub: sub.to_owned(),
                step,
                expires: now + SESSION_SECONDS,
                tries: 0,
            },
        );
        json!({"ChallengeName": name, "Session": id, "ChallengeParameters": parameters})
    }

    /// Every open challenge of the user ends (their password or authenticator
    /// changed: what an older session was started with no longer holds).
    fn end_sessions(state: &mut State, sub: &str) {
        state.sessions.retain(|_, p| p.sub != sub);
    }

    /// After the password (and a new one if asked): the second factor, to set up
    /// or to give.
    fn next_factor(state: &mut State, sub: &str, has_totp: bool, now: i64) -> Value {
        let step = if has_totp {
            Step::Mfa
        } else {
            Step::MfaSetup {
                secret: None,
                verified: false,
            }
        };
        Self::open(state, sub, step, now)
    }

    /// A wrong password or code: counted against the user, who pauses at the
    /// limit.
    fn count_failure(user: &mut User, now: i64) {
        user.failures = user.failures.saturating_add(1);
        if user.failures >= LOCK_AFTER {
            user.failures = 0;
            user.locked_until = now + LOCK_SECONDS;
        }
    }

    fn tokens(&self, user: &mut User, now: i64) -> Value {
        user.failures = 0;
        let (token, expires_in) = self.issuer.access_token(&user.sub, &user.groups, now);
        json!({"AuthenticationResult": {
            "AccessToken": token,
            "ExpiresIn": expires_in,
            "TokenType": "Bearer",
        }, "ChallengeParameters": {}})
    }

    fn initiate_auth(&self, input: &Value, now: i64) -> Result<Value, CognitoError> {
        Self::client(input)?;
        if text(input, "AuthFlow")? != "USER_PASSWORD_AUTH" {
            return fail(
                "InvalidParameterException",
                "This client allows USER_PASSWORD_AUTH here.",
            );
        }
        let parameters = input.get("AuthParameters").unwrap_or(&Value::Null);
        let (name, password) = (text(parameters, "USERNAME")?, text(parameters, "PASSWORD")?);
        let mut state = self.state();
        let Some(user) = Self::find(&mut state.users, name) else {
            return wrong_password();
        };
        if user.locked_until > now {
            return fail("NotAuthorizedException", "Password attempts exceeded");
        }
        if !same(&digest(&user.salt, password), &user.password) {
            Self::count_failure(user, now);
            return wrong_password();
        }
        if user.must_change_password && user.invitation_expires <= now {
            return fail(
                "NotAuthorizedException",
                "Temporary password has expired and must be reset by an administrator.",
            );
        }
        let (sub, must_change, has_totp) = (
            user.sub.clone(),
            user.must_change_password,
            user.totp_secret.is_some(),
        );
        Ok(if must_change {
            Self::open(&mut state, &sub, Step::NewPassword, now)
        } else {
            Self::next_factor(&mut state, &sub, has_totp, now)
        })
    }

    /// The live session `id` for `challenge`; a wrong, spent or stale one is
    /// refused (and forgotten).
    fn session<'a>(
        state: &'a mut State,
        id: &str,
        challenge: Option<&str>,
        now: i64,
    ) -> Result<&'a mut Pending, CognitoError> {
        let fits = state
            .sessions
            .get(id)
            .is_some_and(|p| p.expires > now && challenge.is_none_or(|c| c == p.step.name()));
        if !fits {
            state.sessions.remove(id);
            return spent_session();
        }
        state.sessions.get_mut(id).map_or_else(spent_session, Ok)
    }

    /// Counts a wrong answer against the session and the user; the session ends
    /// at its limit.
    fn wrong_answer<T>(
        state: &mut State,
        id: &str,
        now: i64,
        kind: &'static str,
        message: &str,
    ) -> Result<T, CognitoError> {
        if let Some(p) = state.sessions.get_mut(id) {
            p.tries += 1;
            let (sub, spent) = (p.sub.clone(), p.tries >= SESSION_TRIES);
            if spent {
                state.sessions.remove(id);
            }
            if let Some(user) = Self::find(&mut state.users, &sub) {
                Self::count_failure(user, now);
            }
        }
        fail(kind, message)
    }

    fn respond(&self, input: &Value, now: i64) -> Result<Value, CognitoError> {
        self.respond_checked(input, now, true)
    }

    /// `RespondToAuthChallenge`; `once`: a code is taken once (as Cognito takes
    /// it), off only for the dev shortcut [`Self::sign_in`].
    fn respond_checked(&self, input: &Value, now: i64, once: bool) -> Result<Value, CognitoError> {
        Self::client(input)?;
        let (challenge, id) = (text(input, "ChallengeName")?, text(input, "Session")?);
        let answers = input.get("ChallengeResponses").unwrap_or(&Value::Null);
        let mut state = self.state();
        let pending = Self::session(&mut state, id, Some(challenge), now)?;
        let (sub, step) = (pending.sub.clone(), pending.step.clone());
        let named = text(answers, "USERNAME")?;
        let Some(user) = Self::find(&mut state.users, named).filter(|u| u.sub == sub) else {
            return spent_session();
        };
        if user.locked_until > now {
            return fail("NotAuthorizedException", "Password attempts exceeded");
        }
        match step {
            Step::NewPassword => {
                if !user.must_change_password {
                    state.sessions.remove(id);
                    return spent_session();
                }
                let fresh = text(answers, "NEW_PASSWORD")?;
                check_policy(fresh)?;
                user.salt = rand::random();
                user.password = digest(&user.salt, fresh);
                user.must_change_password = false;
                let has_totp = user.totp_secret.is_some();
                Self::end_sessions(&mut state, &sub);
                Ok(Self::next_factor(&mut state, &sub, has_totp, now))
            }
            Step::Mfa => {
                let code = text(answers, "SOFTWARE_TOKEN_MFA_CODE")?;
                let step = user
                    .totp_secret
                    .as_deref()
                    .and_then(|s| totp::step_of(s, code, now));
                let Some(step) = step else {
                    return Self::wrong_answer(
                        &mut state,
                        id,
                        now,
                        "CodeMismatchException",
                        "Invalid code received for user",
                    );
                };
                if once && step <= user.last_code_step {
                    return fail(
                        "ExpiredCodeException",
                        "Your software token has already been used once.",
                    );
                }
                if once {
                    user.last_code_step = step;
                }
                let answer = self.tokens(user, now);
                state.sessions.remove(id);
                Ok(answer)
            }
            Step::MfaSetup { verified, .. } => {
                if !verified {
                    return fail(
                        "InvalidParameterException",
                        "Verify the software token before answering MFA_SETUP.",
                    );
                }
                let answer = self.tokens(user, now);
                state.sessions.remove(id);
                Ok(answer)
            }
        }
    }

    /// `AssociateSoftwareToken` within an `MFA_SETUP` challenge: a fresh secret
    /// for the user's authenticator app.
    fn associate(&self, input: &Value, now: i64) -> Result<Value, CognitoError> {
        let Some(id) = input.get("Session").and_then(Value::as_str) else {
            return fail(
                "InvalidParameterException",
                "The local pool sets up MFA within the MFA_SETUP challenge (Session).",
            );
        };
        let mut state = self.state();
        let pending = Self::session(&mut state, id, Some("MFA_SETUP"), now)?;
        let secret = totp::new_secret();
        pending.step = Step::MfaSetup {
            secret: Some(secret.clone()),
            verified: false,
        };
        Ok(json!({"SecretCode": secret, "Session": id}))
    }

    fn verify(&self, input: &Value, now: i64) -> Result<Value, CognitoError> {
        let Some(id) = input.get("Session").and_then(Value::as_str) else {
            return fail(
                "InvalidParameterException",
                "The local pool sets up MFA within the MFA_SETUP challenge (Session).",
            );
        };
        let code = text(input, "UserCode")?;
        let mut state = self.state();
        let pending = Self::session(&mut state, id, Some("MFA_SETUP"), now)?;
        let Step::MfaSetup {
            secret: Some(secret),
            ..
        } = pending.step.clone()
        else {
            return fail(
                "InvalidParameterException",
                "Associate a software token first.",
            );
        };
        let sub = pending.sub.clone();
        let Some(step) = totp::step_of(&secret, code, now) else {
            return Self::wrong_answer(
                &mut state,
                id,
                now,
                "EnableSoftwareTokenMFAException",
                "Code mismatch",
            );
        };
        let Some(user) = Self::find(&mut state.users, &sub) else {
            return spent_session();
        };
        if user.totp_secret.is_some() {
            // Set up meanwhile through another session: the first one stands.
            state.sessions.remove(id);
            return spent_session();
        }
        user.totp_secret = Some(secret.clone());
        user.last_code_step = step;
        Self::end_sessions(&mut state, &sub);
        state.sessions.insert(
            id.to_owned(),
            Pending {
                sub,
                step: Step::MfaSetup {
                    secret: Some(secret),
                    verified: true,
                },
                expires: now + SESSION_SECONDS,
                tries: 0,
            },
        );
        Ok(json!({"Status": "SUCCESS", "Session": id}))
    }

    fn forgot_password(
        &self,
        input: &Value,
        now: i64,
    ) -> Result<(Value, Option<PoolMail>), CognitoError> {
        Self::client(input)?;
        let name = text(input, "Username")?;
        let mut state = self.state();
        let Some(user) = Self::find(&mut state.users, name) else {
            // As Cognito with PreventUserExistenceErrors: the same answer, masked
            // from the name as a known user's stored address would be.
            let shown = name.trim().to_ascii_lowercase();
            let shown = if shown.contains('@') {
                shown
            } else {
                "user@example.com".into()
            };
            return Ok((delivery(&shown), None));
        };
        if user.must_change_password {
            return fail(
                "NotAuthorizedException",
                "User password cannot be reset in the current state.",
            );
        }
        user.reset_requests.retain(|t| now - t < 3600);
        if user.reset_requests.len() >= RESETS_PER_HOUR {
            return fail(
                "LimitExceededException",
                "Attempt limit exceeded, please try after some time.",
            );
        }
        user.reset_requests.push(now);
        let code = format!("{:06}", rand::random::<u32>() % 1_000_000);
        user.reset = Some(Reset {
            code: digest(&user.salt, &code),
            expires: now + RESET_SECONDS,
            tries: 0,
        });
        let mail = PoolMail {
            to: user.email.clone(),
            subject: "Your password reset code".into(),
            body: format!(
                "Someone asked to reset the password of your Helpdesk agent account.\r\n\r\nYour code: {code}\r\n\r\nIt works for one hour. If it was not you, ignore this mail: your password stays as it is."
            ),
        };
        Ok((delivery(&user.email), Some(mail)))
    }

    fn confirm_forgot_password(&self, input: &Value, now: i64) -> Result<Value, CognitoError> {
        Self::client(input)?;
        let (name, code, fresh) = (
            text(input, "Username")?,
            text(input, "ConfirmationCode")?,
            text(input, "Password")?,
        );
        let mismatch = || {
            fail(
                "CodeMismatchException",
                "Invalid verification code provided, please try again.",
            )
        };
        let mut state = self.state();
        let Some(user) = Self::find(&mut state.users, name) else {
            return mismatch();
        };
        let Some(reset) = user.reset.as_mut() else {
            return mismatch();
        };
        if reset.expires <= now || reset.tries >= RESET_TRIES {
            user.reset = None;
            return fail(
                "ExpiredCodeException",
                "Invalid code provided, please request a code again.",
            );
        }
        if !same(&digest(&user.salt, code.trim()), &reset.code) {
            reset.tries += 1;
            return mismatch();
        }
        check_policy(fresh)?;
        user.salt = rand::random();
        user.password = digest(&user.salt, fresh);
        user.reset = None;
        user.failures = 0;
        user.locked_until = 0;
        let sub = user.sub.clone();
        Self::end_sessions(&mut state, &sub);
        Ok(json!({}))
    }

    fn attributes(user: &User) -> Value {
        json!([
            {"Name": "sub", "Value": user.sub},
            {"Name": "email", "Value": user.email},
            {"Name": "email_verified", "Value": "true"},
        ])
    }

    fn status(user: &User) -> &'static str {
        if user.must_change_password {
            "FORCE_CHANGE_PASSWORD"
        } else {
            "CONFIRMED"
        }
    }

    /// `AdminCreateUser`: a new user with a temporary password, mailed unless
    /// `MessageAction` is `SUPPRESS`; `RESEND` mails an existing user who has not
    /// signed in yet a new temporary password (an expired invitation's cure).
    fn admin_create_user(
        &self,
        input: &Value,
        now: i64,
    ) -> Result<(Value, Option<PoolMail>), CognitoError> {
        Self::pool(input)?;
        let Ok(address) = EmailAddress::parse(text(input, "Username")?) else {
            return fail("InvalidParameterException", "Username should be an email.");
        };
        let email = address.as_str().to_ascii_lowercase();
        let temporary = match input.get("TemporaryPassword").and_then(Value::as_str) {
            Some(p) => {
                check_policy(p)?;
                p.to_owned()
            }
            // Twelve or more characters with every class the policy asks for.
            None => format!("Tmp-{}a9Z", totp::new_secret().get(..12).unwrap_or("X")),
        };
        let action = input.get("MessageAction").and_then(Value::as_str);
        let mut state = self.state();
        let answer = match (Self::find(&mut state.users, &email), action) {
            (Some(user), Some("RESEND")) => {
                if !user.must_change_password {
                    return fail(
                        "UnsupportedUserStateException",
                        "Resend is not allowed for a user who has signed in.",
                    );
                }
                user.salt = rand::random();
                user.password = digest(&user.salt, &temporary);
                user.invitation_expires = now + TEMPORARY_PASSWORD_SECONDS;
                let sub = user.sub.clone();
                let answer = Self::user_json(user);
                Self::end_sessions(&mut state, &sub);
                answer
            }
            (Some(_), _) => {
                return fail(
                    "UsernameExistsException",
                    "An account with the given email already exists.",
                );
            }
            (None, Some("RESEND")) => {
                return fail("UserNotFoundException", "User does not exist.");
            }
            (None, _) => {
                let salt = rand::random();
                let user = User {
                    sub: uuid_like(),
                    email: email.clone(),
                    salt,
                    password: digest(&salt, &temporary),
                    must_change_password: true,
                    invitation_expires: now + TEMPORARY_PASSWORD_SECONDS,
                    totp_secret: None,
                    last_code_step: i64::MIN,
                    groups: Vec::new(),
                    failures: 0,
                    locked_until: 0,
                    reset: None,
                    reset_requests: Vec::new(),
                };
                let answer = Self::user_json(&user);
                state.users.push(user);
                answer
            }
        };
        let mail = (action != Some("SUPPRESS")).then(|| PoolMail {
            to: email.clone(),
            subject: "Your Helpdesk agent account".into(),
            body: format!(
                "An account was made for you on the Helpdesk agent console.\r\n\r\nUser name: {email}\r\nTemporary password: {temporary}\r\n\r\nSign in within 7 days, choose a password of your own and set up your authenticator app."
            ),
        });
        Ok((answer, mail))
    }

    fn user_json(user: &User) -> Value {
        json!({"User": {
            "Username": user.sub,
            "Attributes": Self::attributes(user),
            "Enabled": true,
            "UserStatus": Self::status(user),
        }})
    }

    /// `AdminAddUserToGroup` (`add`) or `AdminRemoveUserFromGroup`.
    fn admin_group(&self, input: &Value, add: bool) -> Result<Value, CognitoError> {
        Self::pool(input)?;
        let group = text(input, "GroupName")?;
        if !GROUPS.contains(&group) {
            return fail("ResourceNotFoundException", "Group not found.");
        }
        let mut state = self.state();
        let Some(user) = Self::find(&mut state.users, text(input, "Username")?) else {
            return fail("UserNotFoundException", "User does not exist.");
        };
        user.groups.retain(|g| g != group);
        if add {
            user.groups.push(group.to_owned());
        }
        Ok(json!({}))
    }

    fn admin_get_user(&self, input: &Value) -> Result<Value, CognitoError> {
        Self::pool(input)?;
        let mut state = self.state();
        let Some(user) = Self::find(&mut state.users, text(input, "Username")?) else {
            return fail("UserNotFoundException", "User does not exist.");
        };
        let mfa: Vec<&str> = user
            .totp_secret
            .iter()
            .map(|_| "SOFTWARE_TOKEN_MFA")
            .collect();
        Ok(json!({
            "Username": user.sub,
            "UserAttributes": Self::attributes(user),
            "Enabled": true,
            "UserStatus": Self::status(user),
            "UserMFASettingList": mfa,
            "PreferredMfaSetting": mfa.first(),
        }))
    }
}

fn delivery(email: &str) -> Value {
    json!({"CodeDeliveryDetails": {
        "Destination": masked(email),
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }})
}

/// A random id in the form Cognito gives its users' `sub`.
fn uuid_like() -> String {
    let hex = format!("{:032x}", rand::random::<u128>());
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests;
