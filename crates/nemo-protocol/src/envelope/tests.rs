use serde_json::json;

use super::*;

#[test]
fn code_envelope_success_returns_data() {
    assert_eq!(
        parse_envelope(json!({"code":0,"data":{"a":1}})).unwrap(),
        json!({"a":1})
    );
}

#[test]
fn code_envelope_error_keeps_code_and_message_or_msg() {
    let e = parse_envelope(json!({"code":1002,"msg":"no session"})).unwrap_err();
    assert_eq!(e.code, ApiCode::SessionNotFound);
    assert_eq!(e.message, "no session");
    let e = parse_envelope(json!({"code":4001,"message":"bad type","data":{"x":1}})).unwrap_err();
    assert_eq!(e.code, ApiCode::UnsupportedFile);
    assert_eq!(e.data, Some(json!({"x":1})));
}

#[test]
fn success_envelope_both_ways() {
    assert_eq!(
        parse_envelope(json!({"success":true,"data":{"status":"pending"}})).unwrap(),
        json!({"status":"pending"})
    );
    let e = parse_envelope(json!({"success":false,"error":"invalid draft"})).unwrap_err();
    assert_eq!(e.message, "invalid draft");
}

#[test]
fn bare_object_passes_through() {
    assert_eq!(
        parse_envelope(json!({"status":"completed"})).unwrap(),
        json!({"status":"completed"})
    );
}
