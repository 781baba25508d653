//! Demo data for `make dev`: categories with their own fields, agents of each role,
//! FAQ entries. Written on first start only (when no category exists).

use helpdesk_domain::Category;
use helpdesk_domain::agents::profile::Agent;
use helpdesk_domain::catalog::faq::FaqEntry;
use helpdesk_domain::ports::CatalogStore;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Demo {
    pub categories: Vec<Category>,
    pub agents: Vec<Agent>,
    pub faq: Vec<FaqEntry>,
    /// A few canned replies, so a new agent sees what they are for.
    #[serde(default)]
    pub canned: Vec<helpdesk_domain::agents::canned::CannedReply>,
    pub policies: Vec<helpdesk_domain::sla::policy::SlaPolicy>,
    /// The customer list: a premium domain to try the premium promise with.
    #[serde(default)]
    pub tiers: Vec<helpdesk_domain::customers::tier_rule::TierRule>,
    /// Local sign-in for the demo agents (printed at start; dev only).
    pub logins: Vec<crate::cognito::Login>,
}

pub fn demo() -> anyhow::Result<Demo> {
    Ok(serde_json::from_str(include_str!("../demo-data.json"))?)
}

/// What is in the catalog after seeding, and whether this start wrote it.
pub struct Seeded {
    pub written: bool,
    pub categories: Vec<Category>,
    pub agents: Vec<Agent>,
    pub logins: Vec<crate::cognito::Login>,
}

pub async fn seed_demo(catalog: &dyn CatalogStore) -> anyhow::Result<Seeded> {
    let demo = demo()?;
    let existing = catalog.categories().await?;
    if !existing.is_empty() {
        return Ok(Seeded {
            written: false,
            categories: existing,
            agents: catalog.agents().await?,
            logins: demo.logins,
        });
    }
    for p in &demo.policies {
        catalog.put_policy(p).await?;
    }
    for c in &demo.categories {
        catalog.put_category(c).await?;
    }
    for a in &demo.agents {
        catalog.put_agent(a).await?;
    }
    for f in &demo.faq {
        catalog.put_faq(f).await?;
    }
    for c in &demo.canned {
        catalog.put_canned(c).await?;
    }
    for t in &demo.tiers {
        catalog.put_tier_rule(t).await?;
    }
    Ok(Seeded {
        written: true,
        categories: demo.categories,
        agents: demo.agents,
        logins: demo.logins,
    })
}

pub fn banner(port: u16, smtp_port: u16, seeded: &Seeded) -> String {
    let base = format!("http://127.0.0.1:{port}");
    let mut out = format!(
        "\nHelpdesk is running (local stack)\n  help center    {base}/\n  agent console  {base}/agent/\n  API            {base}/api/  (health: {base}/api/health)\n  sent mail      {base}/dev/mail  (deliver inbound mail: POST {base}/dev/inbound with a raw .eml)\n  SMTP           127.0.0.1:{smtp_port}  (e.g. swaks --server 127.0.0.1:{smtp_port} --to support@helpdesk.test)\n  schedule tick  POST {base}/dev/tick\n\n{} demo data:\n",
        if seeded.written { "Seeded" } else { "Existing" }
    );
    for c in &seeded.categories {
        out.push_str(&format!("  category {:<11} {}\n", c.id.as_str(), c.name));
    }
    for a in &seeded.agents {
        let cats: Vec<&str> = a.categories.iter().map(|c| c.as_str()).collect();
        out.push_str(&format!(
            "  agent    {:<11} {:?} {}\n",
            a.id.as_str(),
            a.role,
            cats.join(", ")
        ));
    }
    out.push_str(&format!(
        "\nSign in to the agent console ({base}/agent/) as any of (every agent has an authenticator app,\nas deployed: add the key to yours, or print the current code with scripts/totp.py KEY):\n"
    ));
    for login in &seeded.logins {
        out.push_str(&format!(
            "  {:<11} password {:<16} authenticator key {}\n",
            login.agent, login.password, login.totp_secret
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_data_parses_into_valid_domain_values() {
        let demo = demo().unwrap();
        assert_eq!(demo.categories.len(), 4);
        for a in &demo.agents {
            for c in &a.categories {
                assert!(
                    demo.categories.iter().any(|k| &k.id == c),
                    "{} names unknown category {c}",
                    a.id
                );
            }
        }
        for f in &demo.faq {
            assert!(demo.categories.iter().any(|k| k.id == f.category));
        }
        assert!(demo.canned.len() >= 3, "a few canned replies to start from");
        for c in &demo.canned {
            let problems = helpdesk_domain::agents::canned::check(&c.title, &c.body);
            assert!(problems.is_empty(), "{}: {problems:?}", c.id);
            assert!(
                c.category
                    .as_ref()
                    .is_some_and(|id| demo.categories.iter().any(|k| &k.id == id)),
                "{} belongs to a demo category",
                c.id
            );
        }
        for a in &demo.agents {
            assert!(
                demo.logins.iter().any(|l| l.agent == a.id.as_str()),
                "{} has no demo login",
                a.id
            );
        }
        for c in &demo.categories {
            assert!(
                demo.policies.iter().any(|p| p.id == c.sla_policy),
                "{} has no policy",
                c.id
            );
        }
    }
}
