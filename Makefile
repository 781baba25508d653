# The commands a newcomer needs. See README.md.
.PHONY: admin agent smoke dev reindex test test-times sim bench check-infra package deploy stack-up stack-down stack-status fmt lint openapi

## dev: install what is missing, start the local AWS stack and the local runner (Ctrl-C stops both)
dev:
	scripts/dev.sh

## reindex: rebuild the local desk's word index from its tickets and link the addresses on them (the stack must be up); on AWS see infra/README.md, "Word search"
reindex:
	scripts/reindex.sh

## test: every test (fmt, clippy, unit, contract on the fake and on DynamoDB Local, flows)
test:
	scripts/test.sh

## test-times: make test as if run on a weekday afternoon, a Saturday, 23:59 on a DST change day and New Year's Eve (libfaketime; about four times make test)
test-times:
	scripts/test-times.sh

## sim: the seeded fault simulation of the mail pipeline over many seeds (SEEDS=1000 from FIRST=1; SEED=N replays one with its report; STEPS, RATE per mille)
sim:
	scripts/sim.sh

## bench: cold start and warm latency of every function against hello-world floors, inbound mail throughput and 40 MB memory, AWS calls and capacity per operation, tickets per second (release build; not part of make test)
bench:
	scripts/bench.sh

## check-infra: cfn-lint and `sam validate --lint` on infra/template.yaml (installed on first use; part of make test)
check-infra:
	scripts/check-infra.sh

## package: cargo lambda build --release of every function (arm64; HELPDESK_ARCH=x86_64), zips under target/lambda/, sizes printed
package:
	scripts/package.sh

## admin: the first admin of a deployed desk (EMAIL=you@example.com [NAME="…"] [STACK=helpdesk]): the Cognito user, invited by mail, in the admins group, and the agent record keyed by the user name Cognito's tokens carry (infra/README.md, "The first admin")
admin:
	scripts/add-agent.sh admin

## agent: another agent the same way (EMAIL=… ROLE=agent|supervisor CATEGORIES=billing,shipping [NAME="…"] [UPDATE=1 to change an existing record])
agent:
	scripts/add-agent.sh "$(or $(ROLE),agent)"

## smoke: check a running desk from outside (URL=<the stack's WebUrl> [MAIL=you@example.com to also submit one ticket]): pages and their headers, health, the public API, the authorizer, the console's user pool; make test runs it against the local runner
smoke:
	@[ -n "$(URL)" ] || { echo "usage: make smoke URL=https://<WebUrl> [MAIL=you@example.com]" >&2; exit 2; }
	python3 scripts/smoke.py "$(URL)" $(MAIL)

## deploy: sam deploy of infra/template.yaml (guided the first time); see infra/README.md
deploy:
	scripts/deploy.sh

## stack-up: only the local AWS stack (DynamoDB Local, moto for SQS/SES/S3); writes .local/stack.env
stack-up:
	infra/local/stack.sh up

## stack-down: stop what stack-up started
stack-down:
	infra/local/stack.sh down

stack-status:
	infra/local/stack.sh status

## openapi: regenerate functions/agent-api/openapi.json and functions/submit-form/openapi.json from the Rust types, and the console's TypeScript types from the first (commit all three; make test fails when one is stale)
openapi:
	HELPDESK_WRITE_OPENAPI=1 cargo test -q -p agent-api openapi::tests::the_committed_document_is_current
	HELPDESK_WRITE_OPENAPI=1 cargo test -q -p submit-form openapi::tests::the_committed_document_is_current
	cd web/console && npm install --silent --no-audit --no-fund --no-save && npm run --silent types

fmt:
	cargo fmt --all

lint:
	cargo clippy --workspace --all-targets -- -D warnings
