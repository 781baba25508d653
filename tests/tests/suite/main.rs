//! The one integration test binary: everything here runs against the local AWS
//! stack (DynamoDB Local, moto's SQS/SES/S3). `make test` starts the stack.

mod adapters;
mod agent;
mod binaries;
mod contract_dynamodb;
mod faults;
mod functions;
mod infra;
mod intake;
mod mail;
mod reports;
mod runner;
mod ses_throttling;
mod sla;
