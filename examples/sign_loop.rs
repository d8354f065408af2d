//! Signs one Kinesis PutRecords request many times: a profiling target
//! (`valgrind --tool=callgrind target/release/examples/sign_loop`).

#![allow(clippy::unwrap_used)]
use kinesis_edge::credentials::Credentials;
use kinesis_edge::sigv4::{Payload, SignableRequest, Signer, SigningParams, SigningSettings};
use kinesis_edge::time::Timestamp;

fn main() {
    let credentials =
        Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", None).unwrap();
    let body = vec![b'a'; 1024];
    let headers =
        [("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "Kinesis_20131202.PutRecords")];
    let mut signer = Signer::new();
    let mut total = 0usize;
    for i in 0..20_000 {
        let request = SignableRequest {
            method: "POST",
            url: "https://kinesis.us-east-1.amazonaws.com/",
            headers: &headers,
            payload: Payload::Bytes(&body),
        };
        let params = SigningParams {
            credentials: &credentials,
            region: "us-east-1",
            service: "kinesis",
            time: Timestamp::from_millis(1_764_158_400_000 + i).unwrap(),
            settings: SigningSettings::for_service("kinesis"),
        };
        total += signer.sign(&request, &params).unwrap().signature.len();
    }
    println!("{total}");
}
