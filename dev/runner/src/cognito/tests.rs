//! The local pool against what Cognito does for each step the console takes, on an
//! injected clock.

use super::*;

const T0: i64 = 1_800_000_000;

fn pool() -> UserPool {
    let logins: Vec<Login> = serde_json::from_value(json!([{
        "agent": "ana", "email": "Ana@Helpdesk.test", "password": "ana-demo-2026",
        "totp_secret": "MFXGCLLEMVWW6LLBOV2GQZLOORUWGYLU", "group": "agents"
    }]))
    .unwrap_or_default();
    UserPool::new(&logins, Arc::new(LocalIssuer::default()), None)
}

const ANA_KEY: &str = "MFXGCLLEMVWW6LLBOV2GQZLOORUWGYLU";

fn code(key: &str, now: i64) -> String {
    totp::code(key, now).unwrap_or_default()
}

async fn call(pool: &UserPool, op: &str, input: Value, now: i64) -> Result<Value, CognitoError> {
    let mut input = input;
    if let Some(map) = input.as_object_mut() {
        map.entry("ClientId").or_insert(json!(CLIENT_ID));
    }
    pool.call(op, &input, now).await
}

async fn start(
    pool: &UserPool,
    name: &str,
    password: &str,
    now: i64,
) -> Result<Value, CognitoError> {
    call(
        pool,
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": name, "PASSWORD": password}}),
        now,
    )
    .await
}

async fn answer_mfa(
    pool: &UserPool,
    session: &Value,
    name: &str,
    code: &str,
    now: i64,
) -> Result<Value, CognitoError> {
    call(
        pool,
        "RespondToAuthChallenge",
        json!({"ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": session,
               "ChallengeResponses": {"USERNAME": name, "SOFTWARE_TOKEN_MFA_CODE": code}}),
        now,
    )
    .await
}

fn kind<T: std::fmt::Debug>(r: Result<T, CognitoError>) -> &'static str {
    match r {
        Err(e) => e.kind,
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

fn claims(pool: &UserPool, answer: &Value, now: i64) -> Map<String, Value> {
    let token = answer["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap_or_default();
    pool.issuer.verify(token, now).unwrap_or_default()
}

use serde_json::Map;

#[tokio::test]
async fn a_demo_agent_signs_in_with_password_then_code_by_email_or_sub() {
    let pool = pool();
    for (i, name) in ["ana", "ana@helpdesk.test", "ANA@HELPDESK.TEST"]
        .into_iter()
        .enumerate()
    {
        // A minute apart: a code is taken once.
        let now = T0 + 60 * i as i64;
        let first = start(&pool, name, "ana-demo-2026", now)
            .await
            .unwrap_or_default();
        assert_eq!(
            first["ChallengeName"], "SOFTWARE_TOKEN_MFA",
            "{name}: {first}"
        );
        assert!(
            first.get("AuthenticationResult").is_none(),
            "no token before the code"
        );
        let done = answer_mfa(&pool, &first["Session"], name, &code(ANA_KEY, now), now)
            .await
            .unwrap_or_default();
        let claims = claims(&pool, &done, now);
        assert_eq!(claims["username"], "ana");
        assert_eq!(claims["token_use"], "access");
        assert_eq!(claims["cognito:groups"], json!(["agents"]));
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_user_look_the_same_and_repeated_failures_pause_the_user() {
    let pool = pool();
    let wrong = start(&pool, "ana", "not-her-password", T0).await;
    let nobody = start(&pool, "nobody@helpdesk.test", "whatever", T0).await;
    assert_eq!(wrong, nobody);
    assert_eq!(kind(wrong), "NotAuthorizedException");
    for _ in 1..LOCK_AFTER {
        assert!(start(&pool, "ana", "guess", T0).await.is_err());
    }
    let locked = start(&pool, "ana", "ana-demo-2026", T0 + 1).await;
    assert_eq!(
        locked.map_err(|e| e.message),
        Err("Password attempts exceeded".to_owned()),
        "even the right password waits"
    );
    let later = start(&pool, "ana", "ana-demo-2026", T0 + LOCK_SECONDS + 1).await;
    assert_eq!(
        later.unwrap_or_default()["ChallengeName"],
        "SOFTWARE_TOKEN_MFA"
    );
}

#[tokio::test]
async fn a_code_session_takes_three_wrong_codes_expires_and_is_used_once() {
    let pool = pool();
    let first = start(&pool, "ana", "ana-demo-2026", T0)
        .await
        .unwrap_or_default();
    let session = &first["Session"];
    let right = code(ANA_KEY, T0);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    assert_eq!(
        kind(answer_mfa(&pool, session, "ana", wrong, T0).await),
        "CodeMismatchException"
    );
    assert_eq!(
        kind(answer_mfa(&pool, session, "ana", wrong, T0).await),
        "CodeMismatchException"
    );
    assert!(
        answer_mfa(&pool, session, "ana", &right, T0).await.is_ok(),
        "a retry within the limit"
    );
    assert_eq!(
        kind(answer_mfa(&pool, session, "ana", &right, T0).await),
        "NotAuthorizedException",
        "a used session"
    );

    let first = start(&pool, "ana", "ana-demo-2026", T0)
        .await
        .unwrap_or_default();
    for _ in 0..SESSION_TRIES {
        assert!(
            answer_mfa(&pool, &first["Session"], "ana", wrong, T0)
                .await
                .is_err()
        );
    }
    assert_eq!(
        kind(answer_mfa(&pool, &first["Session"], "ana", &right, T0).await),
        "NotAuthorizedException",
        "spent after three wrong codes"
    );

    let first = start(&pool, "ana", "ana-demo-2026", T0)
        .await
        .unwrap_or_default();
    let late = T0 + SESSION_SECONDS;
    assert_eq!(
        kind(answer_mfa(&pool, &first["Session"], "ana", &code(ANA_KEY, late), late).await),
        "NotAuthorizedException",
        "expired"
    );
    let stale = code(ANA_KEY, T0 - 5 * totp::STEP);
    let first = start(&pool, "ana", "ana-demo-2026", T0)
        .await
        .unwrap_or_default();
    assert_eq!(
        kind(answer_mfa(&pool, &first["Session"], "ana", &stale, T0).await),
        "CodeMismatchException",
        "a code from minutes ago"
    );
    assert_eq!(
        kind(answer_mfa(&pool, &json!("made-up"), "ana", &right, T0).await),
        "NotAuthorizedException"
    );
}

#[tokio::test]
async fn a_new_agent_sets_a_password_and_an_authenticator_before_any_token() {
    let pool = pool();
    let admin = |op: &'static str, input: Value| {
        let mut input = input;
        input["UserPoolId"] = json!(POOL_ID);
        let pool = &pool;
        async move { pool.call(op, &input, T0).await }
    };
    let created = admin("AdminCreateUser", json!({"Username": "Nia@Shop.example"}))
        .await
        .unwrap_or_default();
    let sub = created["User"]["Username"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(sub.len(), 36, "a generated sub, not the email: {created}");
    assert_eq!(created["User"]["UserStatus"], "FORCE_CHANGE_PASSWORD");
    assert_eq!(
        kind(admin("AdminCreateUser", json!({"Username": "nia@shop.example"})).await),
        "UsernameExistsException"
    );
    assert_eq!(
        kind(admin("AdminCreateUser", json!({"Username": "not an email"})).await),
        "InvalidParameterException"
    );
    assert_eq!(
        kind(
            admin(
                "AdminAddUserToGroup",
                json!({"Username": "nia@shop.example", "GroupName": "root"})
            )
            .await
        ),
        "ResourceNotFoundException"
    );
    assert!(
        admin(
            "AdminAddUserToGroup",
            json!({"Username": "nia@shop.example", "GroupName": "admins"})
        )
        .await
        .is_ok()
    );
    assert_eq!(
        kind(
            pool.call(
                "AdminGetUser",
                &json!({"UserPoolId": "another", "Username": sub}),
                T0
            )
            .await
        ),
        "ResourceNotFoundException"
    );
    let got = admin("AdminGetUser", json!({"Username": "nia@shop.example"}))
        .await
        .unwrap_or_default();
    assert_eq!(got["Username"], sub.as_str());

    let invitation = pool.sent().pop().map(|m| m.body).unwrap_or_default();
    let temporary = invitation
        .lines()
        .find_map(|l| l.strip_prefix("Temporary password: "))
        .unwrap_or_default()
        .trim()
        .to_owned();
    let first = start(&pool, "nia@shop.example", &temporary, T0)
        .await
        .unwrap_or_default();
    assert_eq!(first["ChallengeName"], "NEW_PASSWORD_REQUIRED", "{first}");
    let new_password = |session: &Value, password: &str| {
        let input = json!({"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": session, "ClientId": CLIENT_ID,
                           "ChallengeResponses": {"USERNAME": "nia@shop.example", "NEW_PASSWORD": password}});
        let pool = &pool;
        async move { pool.call("RespondToAuthChallenge", &input, T0).await }
    };
    assert_eq!(
        kind(new_password(&first["Session"], "short").await),
        "InvalidPasswordException"
    );
    assert_eq!(
        kind(new_password(&first["Session"], "alllowercase123").await),
        "InvalidPasswordException"
    );
    let setup = new_password(&first["Session"], "Nia-chose-2026")
        .await
        .unwrap_or_default();
    assert_eq!(setup["ChallengeName"], "MFA_SETUP", "{setup}");
    let session = setup["Session"].clone();
    let finish = |session: &Value| {
        let input = json!({"ChallengeName": "MFA_SETUP", "Session": session, "ClientId": CLIENT_ID,
                           "ChallengeResponses": {"USERNAME": "nia@shop.example"}});
        let pool = &pool;
        async move { pool.call("RespondToAuthChallenge", &input, T0).await }
    };
    assert_eq!(
        kind(finish(&session).await),
        "InvalidParameterException",
        "not verified yet"
    );
    let associated = pool
        .call("AssociateSoftwareToken", &json!({"Session": session}), T0)
        .await
        .unwrap_or_default();
    let key = associated["SecretCode"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(key.len(), 32);
    let verify = |code: String| {
        let input = json!({"Session": session, "UserCode": code, "FriendlyDeviceName": "phone"});
        let pool = &pool;
        async move { pool.call("VerifySoftwareToken", &input, T0).await }
    };
    assert_eq!(
        kind(verify(code(ANA_KEY, T0)).await),
        "EnableSoftwareTokenMFAException",
        "another key's code"
    );
    assert_eq!(
        verify(code(&key, T0)).await.unwrap_or_default()["Status"],
        "SUCCESS"
    );
    let done = finish(&session).await.unwrap_or_default();
    let claims = claims(&pool, &done, T0);
    assert_eq!(
        claims["username"],
        sub.as_str(),
        "the token carries the sub, as Cognito's does"
    );
    assert_eq!(claims["cognito:groups"], json!(["admins"]));

    let again = start(&pool, "nia@shop.example", "Nia-chose-2026", T0 + 60)
        .await
        .unwrap_or_default();
    assert_eq!(
        again["ChallengeName"], "SOFTWARE_TOKEN_MFA",
        "from now on the code is asked"
    );
    assert!(
        start(&pool, "nia@shop.example", &temporary, T0 + 60)
            .await
            .is_err(),
        "the temporary password is gone"
    );
}

#[tokio::test]
async fn a_forgotten_password_is_reset_with_the_mailed_code_and_the_code_still_follows() {
    let pool = pool();
    let forgot = |name: &'static str, now: i64| {
        let pool = &pool;
        async move { call(pool, "ForgotPassword", json!({"Username": name}), now).await }
    };
    let unknown = forgot("nobody@helpdesk.test", T0).await.unwrap_or_default();
    assert_eq!(
        unknown["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL",
        "no hint that nobody has it"
    );
    assert!(pool.sent().is_empty());
    let known = forgot("ana", T0).await.unwrap_or_default();
    assert_eq!(known["CodeDeliveryDetails"]["Destination"], "a***@h***");
    let mail = pool.sent().pop().unwrap_or_else(|| panic!("no mail"));
    assert_eq!(mail.to, "ana@helpdesk.test");
    let mailed = mail
        .body
        .lines()
        .find_map(|l| l.strip_prefix("Your code: "))
        .unwrap_or_default()
        .to_owned();
    assert_eq!(mailed.len(), 6);
    let confirm = |code: String, password: &'static str, now: i64| {
        let pool = &pool;
        async move {
            call(pool, "ConfirmForgotPassword",
                 json!({"Username": "ana@helpdesk.test", "ConfirmationCode": code, "Password": password}), now).await
        }
    };
    let wrong = if mailed == "123456" {
        "654321"
    } else {
        "123456"
    };
    assert_eq!(
        kind(confirm(wrong.into(), "Ana-new-password-1", T0).await),
        "CodeMismatchException"
    );
    assert_eq!(
        kind(confirm(mailed.clone(), "weak", T0).await),
        "InvalidPasswordException"
    );
    assert!(
        confirm(mailed.clone(), "Ana-new-password-1", T0)
            .await
            .is_ok()
    );
    assert_eq!(
        kind(confirm(mailed.clone(), "Ana-new-password-2", T0).await),
        "CodeMismatchException",
        "used once"
    );
    assert!(
        start(&pool, "ana", "ana-demo-2026", T0).await.is_err(),
        "the old password is gone"
    );
    let first = start(&pool, "ana", "Ana-new-password-1", T0)
        .await
        .unwrap_or_default();
    assert_eq!(
        first["ChallengeName"], "SOFTWARE_TOKEN_MFA",
        "a reset does not skip the code"
    );

    // A code that is guessed at or left lying expires.
    forgot("ana", T0).await.unwrap_or_default();
    let code2 = pool.sent().pop().map(|m| m.body).unwrap_or_default();
    let code2 = code2
        .lines()
        .find_map(|l| l.strip_prefix("Your code: "))
        .unwrap_or_default()
        .to_owned();
    let guess = if code2 == "000001" {
        "000002"
    } else {
        "000001"
    };
    for _ in 0..RESET_TRIES {
        assert_eq!(
            kind(confirm(guess.into(), "Ana-new-password-3", T0).await),
            "CodeMismatchException"
        );
    }
    assert_eq!(
        kind(confirm(code2, "Ana-new-password-3", T0).await),
        "ExpiredCodeException"
    );
    forgot("ana", T0).await.unwrap_or_default();
    let code3 = pool.sent().pop().map(|m| m.body).unwrap_or_default();
    let code3 = code3
        .lines()
        .find_map(|l| l.strip_prefix("Your code: "))
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        kind(confirm(code3, "Ana-new-password-3", T0 + RESET_SECONDS).await),
        "ExpiredCodeException"
    );
    // Three codes asked for so far this hour; two more, then a pause.
    assert!(forgot("ana", T0 + 1).await.is_ok());
    assert!(forgot("ana", T0 + 2).await.is_ok());
    assert_eq!(
        forgot("ana", T0 + 3).await.map_err(|e| e.kind),
        Err("LimitExceededException")
    );
    assert!(forgot("ana", T0 + 3601).await.is_ok(), "an hour later");
}

#[tokio::test]
async fn a_session_answers_only_its_own_challenge_and_user() {
    let pool = pool();
    pool.call("AdminCreateUser", &json!({"UserPoolId": POOL_ID, "Username": "eve@shop.example", "TemporaryPassword": "Eve-temporary-1"}), T0)
        .await
        .unwrap_or_default();
    let eve = start(&pool, "eve@shop.example", "Eve-temporary-1", T0)
        .await
        .unwrap_or_default();
    assert_eq!(eve["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    // Eve's session presented as Ana's code challenge, or with Ana's name.
    assert_eq!(
        kind(answer_mfa(&pool, &eve["Session"], "eve@shop.example", "000000", T0).await),
        "NotAuthorizedException"
    );
    let eve = start(&pool, "eve@shop.example", "Eve-temporary-1", T0)
        .await
        .unwrap_or_default();
    let as_ana = json!({"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": eve["Session"], "ClientId": CLIENT_ID,
                        "ChallengeResponses": {"USERNAME": "ana", "NEW_PASSWORD": "Taken-over-2026"}});
    assert_eq!(
        kind(pool.call("RespondToAuthChallenge", &as_ana, T0).await),
        "NotAuthorizedException"
    );
    assert!(
        start(&pool, "ana", "Taken-over-2026", T0).await.is_err(),
        "Ana's password unchanged"
    );
    assert_eq!(
        kind(
            pool.call(
                "ForgotPassword",
                &json!({"ClientId": CLIENT_ID, "Username": "eve@shop.example"}),
                T0
            )
            .await
        ),
        "NotAuthorizedException",
        "no reset before the first sign-in"
    );
    assert_eq!(
        kind(pool.call("InitiateAuth", &json!({"ClientId": "other", "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {}}), T0).await),
        "ResourceNotFoundException"
    );
    assert_eq!(
        kind(pool.call("DeleteUserPool", &json!({}), T0).await),
        "UnknownOperationException"
    );
}

#[tokio::test]
async fn a_code_is_taken_once_and_wrong_codes_count_toward_the_pause() {
    let pool = pool();
    let first = start(&pool, "ana", "ana-demo-2026", T0)
        .await
        .unwrap_or_default();
    let code_now = code(ANA_KEY, T0);
    assert!(
        answer_mfa(&pool, &first["Session"], "ana", &code_now, T0)
            .await
            .is_ok()
    );
    let again = start(&pool, "ana", "ana-demo-2026", T0 + 5)
        .await
        .unwrap_or_default();
    let reused = answer_mfa(&pool, &again["Session"], "ana", &code_now, T0 + 5).await;
    assert_eq!(
        reused.map_err(|e| (e.kind, e.message)),
        Err((
            "ExpiredCodeException",
            "Your software token has already been used once.".to_owned()
        ))
    );
    let next = code(ANA_KEY, T0 + totp::STEP);
    assert!(
        answer_mfa(&pool, &again["Session"], "ana", &next, T0 + totp::STEP)
            .await
            .is_ok(),
        "the next code works"
    );
    let late = start(&pool, "ana", "ana-demo-2026", T0 + totp::STEP)
        .await
        .unwrap_or_default();
    assert_eq!(
        kind(answer_mfa(&pool, &late["Session"], "ana", &code_now, T0 + totp::STEP).await),
        "ExpiredCodeException",
        "a code older than the last one taken is refused too"
    );

    // The right password opens sessions without end, but wrong codes across them
    // add up and pause the user like wrong passwords.
    let now = T0 + 600;
    let wrong = if code(ANA_KEY, now) == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..LOCK_AFTER {
        let s = start(&pool, "ana", "ana-demo-2026", now)
            .await
            .unwrap_or_default();
        assert_eq!(
            kind(answer_mfa(&pool, &s["Session"], "ana", wrong, now).await),
            "CodeMismatchException"
        );
    }
    let paused = start(&pool, "ana", "ana-demo-2026", now + 1).await;
    assert_eq!(
        paused.map_err(|e| e.message),
        Err("Password attempts exceeded".to_owned())
    );
}

#[tokio::test]
async fn an_invitation_expires_after_a_week_and_a_resend_renews_it() {
    let pool = pool();
    let create = json!({"UserPoolId": POOL_ID, "Username": "Late@Shop.example",
                        "TemporaryPassword": "Late-temporary-1"});
    let created = pool
        .call("AdminCreateUser", &create, T0)
        .await
        .unwrap_or_default();
    assert_eq!(
        created["User"]["Attributes"][1]["Value"],
        "late@shop.example"
    );
    let week = T0 + TEMPORARY_PASSWORD_SECONDS;
    let expired = start(&pool, "late@shop.example", "Late-temporary-1", week).await;
    assert_eq!(
        expired.map_err(|e| e.message),
        Err("Temporary password has expired and must be reset by an administrator.".to_owned())
    );
    let resend =
        json!({"UserPoolId": POOL_ID, "Username": "late@shop.example", "MessageAction": "RESEND"});
    pool.call("AdminCreateUser", &resend, week)
        .await
        .unwrap_or_default();
    let mailed = pool.sent().pop().map(|m| m.body).unwrap_or_default();
    let temporary = mailed
        .lines()
        .find_map(|l| l.strip_prefix("Temporary password: "))
        .unwrap_or_default()
        .trim()
        .to_owned();
    assert!(
        start(&pool, "late@shop.example", "Late-temporary-1", week)
            .await
            .is_err(),
        "the old one is gone"
    );
    let fresh = start(&pool, "late@shop.example", &temporary, week)
        .await
        .unwrap_or_default();
    assert_eq!(fresh["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    let to_ana =
        json!({"UserPoolId": POOL_ID, "Username": "ana@helpdesk.test", "MessageAction": "RESEND"});
    assert_eq!(
        kind(pool.call("AdminCreateUser", &to_ana, week).await),
        "UnsupportedUserStateException"
    );
    let bad = json!({"UserPoolId": POOL_ID, "Username": "a..b@shop.example"});
    assert_eq!(
        kind(pool.call("AdminCreateUser", &bad, week).await),
        "InvalidParameterException"
    );
}

#[tokio::test]
async fn a_session_opened_before_the_user_finished_cannot_change_what_they_set() {
    let pool = pool();
    let create = json!({"UserPoolId": POOL_ID, "Username": "kim@shop.example",
                        "TemporaryPassword": "Kim-temporary-1"});
    pool.call("AdminCreateUser", &create, T0)
        .await
        .unwrap_or_default();
    // Someone else who knows the temporary password opens a session and waits.
    let theirs = start(&pool, "kim@shop.example", "Kim-temporary-1", T0)
        .await
        .unwrap_or_default();
    let kims = start(&pool, "kim@shop.example", "Kim-temporary-1", T0)
        .await
        .unwrap_or_default();
    let new_password = |session: &Value, password: &str| {
        json!({"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": session, "ClientId": CLIENT_ID,
               "ChallengeResponses": {"USERNAME": "kim@shop.example", "NEW_PASSWORD": password}})
    };
    let setup = pool
        .call(
            "RespondToAuthChallenge",
            &new_password(&kims["Session"], "Kim-own-password-1"),
            T0,
        )
        .await
        .unwrap_or_default();
    assert_eq!(setup["ChallengeName"], "MFA_SETUP");
    assert_eq!(
        kind(
            pool.call(
                "RespondToAuthChallenge",
                &new_password(&theirs["Session"], "Taken-over-2026"),
                T0
            )
            .await
        ),
        "NotAuthorizedException",
        "the waiting session ended when Kim chose her password"
    );
    // Two set-ups at once: the first verified key stands.
    let other = start(&pool, "kim@shop.example", "Kim-own-password-1", T0)
        .await
        .unwrap_or_default();
    assert_eq!(other["ChallengeName"], "MFA_SETUP");
    let key_a = pool
        .call(
            "AssociateSoftwareToken",
            &json!({"Session": setup["Session"]}),
            T0,
        )
        .await
        .unwrap_or_default();
    let key_b = pool
        .call(
            "AssociateSoftwareToken",
            &json!({"Session": other["Session"]}),
            T0,
        )
        .await
        .unwrap_or_default();
    let verify = |v: &Value| {
        let key = v["SecretCode"].as_str().unwrap_or_default();
        json!({"Session": v["Session"], "UserCode": code(key, T0)})
    };
    assert!(
        pool.call("VerifySoftwareToken", &verify(&key_a), T0)
            .await
            .is_ok()
    );
    assert_eq!(
        kind(pool.call("VerifySoftwareToken", &verify(&key_b), T0).await),
        "NotAuthorizedException"
    );
    let got = pool
        .call(
            "AdminGetUser",
            &json!({"UserPoolId": POOL_ID, "Username": "kim@shop.example"}),
            T0,
        )
        .await
        .unwrap_or_default();
    assert_eq!(got["UserMFASettingList"], json!(["SOFTWARE_TOKEN_MFA"]));
}

#[tokio::test]
async fn forgot_password_masks_known_and_unknown_addresses_alike() {
    let pool = pool();
    let ask = |name: &str| json!({"ClientId": CLIENT_ID, "Username": name});
    let known = pool
        .call("ForgotPassword", &ask("ANA@HELPDESK.TEST"), T0)
        .await
        .unwrap_or_default();
    let unknown = pool
        .call("ForgotPassword", &ask("ANX@HELPDESK.TEST"), T0)
        .await
        .unwrap_or_default();
    assert_eq!(known, unknown);
}
