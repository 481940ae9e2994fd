use serde_json::json;

use super::*;

fn one(data: &str) -> SseEvent {
    let mut events = classify_sse_data(data);
    assert_eq!(events.len(), 1, "{events:?}");
    events.remove(0)
}

#[test]
fn simple_shapes() {
    assert_eq!(
        one(r#"{"type":"text","content":"hi"}"#),
        SseEvent::Text("hi".into())
    );
    assert_eq!(one(r#"{"type":"heartbeat"}"#), SseEvent::Heartbeat);
    assert_eq!(one(""), SseEvent::Heartbeat);
    assert!(
        matches!(one(r#"{"type":"tool_call","name":"edit","args":{}}"#), SseEvent::ToolCall { name, .. } if name == "edit")
    );
    assert!(matches!(
        one(r#"{"type":"tool_result","name":"edit","result":{"ok":true}}"#),
        SseEvent::ToolResult { .. }
    ));
}

#[test]
fn adk_shapes() {
    let text = json!({"content":{"parts":[{"text":"Sure"}],"role":"model"},"author":"nemo_agent"});
    assert_eq!(one(&text.to_string()), SseEvent::Text("Sure".into()));
    let call = json!({"content":{"parts":[{"functionCall":{"id":"a","name":"edit_multitrack","args":{"x":1}}}]}});
    assert_eq!(
        one(&call.to_string()),
        SseEvent::ToolCall {
            name: "edit_multitrack".into(),
            args: json!({"x":1})
        }
    );
    let resp =
        json!({"content":{"parts":[{"function_response":{"name":"edit","response":{"ok":1}}}]}});
    assert!(matches!(
        one(&resp.to_string()),
        SseEvent::ToolResult { .. }
    ));
    let thought = json!({"content":{"parts":[{"text":"hmm","thought":true},{"text":"Done"}]}});
    assert_eq!(
        classify_sse_data(&thought.to_string()),
        vec![SseEvent::Text("Done".into())]
    );
    let partial = json!({"partial":true,"content":{"parts":[{"text":"Do"}]}});
    assert_eq!(one(&partial.to_string()), SseEvent::Chunk("Do".into()));
}

#[test]
fn errors_and_garbage() {
    assert_eq!(one(r#"{"error":"boom"}"#), SseEvent::Error("boom".into()));
    assert_eq!(
        one(r#"{"errorCode":"X"}"#),
        SseEvent::Error("error \"X\"".into())
    );
    assert_eq!(one("not json"), SseEvent::Unknown);
    assert_eq!(one(r#"{"text":"top"}"#), SseEvent::Text("top".into()));
}

#[test]
fn simple_event_round_trips_through_classifier() {
    let ev = SimpleEvent::Text {
        content: "ok".into(),
    };
    let data = serde_json::to_string(&ev).unwrap();
    assert_eq!(data, r#"{"type":"text","content":"ok"}"#);
    assert_eq!(one(&data), SseEvent::Text("ok".into()));
    assert_eq!(
        serde_json::to_string(&SimpleEvent::Heartbeat).unwrap(),
        r#"{"type":"heartbeat"}"#
    );
}
