use super::*;

#[test]
fn parses_mixed_types_and_keeps_big_numbers_exact() {
    let v = parse(r#"{"appid":1000258,"sn":"1120","id":2017062313070231980966651,"f":-1.5e3,"ok":true,"n":null,"a":[1,"x"]}"#).unwrap();
    assert_eq!(v.text("appid"), Some("1000258"));
    assert_eq!(v.int("appid"), Some(1000258));
    assert_eq!(v.text("id"), Some("2017062313070231980966651"));
    assert_eq!(v.int("id"), None, "too big for i64: refused, not wrapped");
    assert_eq!(v.int("f"), None, "fractions are not integers");
    assert_eq!(v.get("ok").and_then(Value::as_bool_lenient), Some(true));
    assert_eq!(v.get("n"), Some(&Value::Null));
}

#[test]
fn decodes_escapes_and_surrogate_pairs() {
    let v = parse(r#""a\"b\\c\/d\n\u4e2d\ud83d\ude00""#).unwrap();
    assert_eq!(v, Value::str("a\"b\\c/d\n中😀"));
    assert!(parse(r#""\ud83d""#).is_err(), "lone surrogate");
    assert!(parse(r#""\x""#).is_err());
    assert!(parse(r#""\u+041""#).is_err(), "a sign is not a hex digit");
    assert!(parse(r#""\u-041""#).is_err());
    assert_eq!(parse(r#""\u00E9""#).unwrap(), Value::str("é"), "upper-case hex");
}

#[test]
fn nested_json_in_a_string_is_decoded() {
    let v = parse(r#"{"jsapi":"{\"appId\":\"wx1\",\"timeStamp\":\"1530669821\"}"}"#).unwrap();
    let inner = v.nested_object("jsapi").unwrap();
    assert_eq!(inner.text("timeStamp"), Some("1530669821"));
    let v = parse(r#"{"jsapi":{"appId":"wx1"}}"#).unwrap();
    assert_eq!(v.nested_object("jsapi").unwrap().text("appId"), Some("wx1"));
    let v = parse(r#"{"jsapi":"not json"}"#).unwrap();
    assert_eq!(v.nested_object("jsapi"), None);
}

#[test]
fn refuses_bad_input_with_a_reason() {
    assert_eq!(parse(""), Err(JsonError::Empty));
    assert_eq!(parse("  \n"), Err(JsonError::Empty));
    assert!(matches!(parse("{\"a\":1,}"), Err(JsonError::Syntax(_))));
    assert!(matches!(parse("{\"a\" 1}"), Err(JsonError::Syntax(_))));
    assert!(matches!(parse("[1] x"), Err(JsonError::Syntax(_))));
    assert!(matches!(parse("01a"), Err(JsonError::Syntax(_))));
    assert!(matches!(parse("\"\u{1}\""), Err(JsonError::Syntax(_))));
    assert_eq!(parse(&"[".repeat(10_000)), Err(JsonError::TooDeep));
    assert_eq!(parse(&" ".repeat(MAX_INPUT + 1)), Err(JsonError::TooLarge));
}

#[test]
fn writes_what_it_reads() {
    let text = r#"{"a":[1,-2.5,"x\"y\\z\n\u0001"],"b":{"c":null,"d":false},"e":"中"}"#;
    let v = parse(text).unwrap();
    assert_eq!(v.to_json(), text);
    assert_eq!(parse(&v.to_json()).unwrap(), v);
    assert_eq!(Value::str("\u{1f}\u{10}\u{b}").to_json(), r#""\u001f\u0010\u000b""#);
    assert_eq!(Value::int_value(-42).to_json(), "-42");
    assert_eq!(Value::str("中\"é\u{7f}\\\n\u{8}x").to_json(), "\"中\\\"é\u{7f}\\\\\\n\\u0008x\"", "runs between escapes kept as they are");
    assert_eq!(Value::str("").to_json(), "\"\"");
}

#[test]
fn lenient_scalars() {
    assert_eq!(Value::str(" 20 ").as_i64(), Some(20));
    assert_eq!(Value::str("20a").as_i64(), None);
    assert_eq!(Value::str("0").as_bool_lenient(), Some(false));
    assert_eq!(Value::Number("1".into()).as_bool_lenient(), Some(true));
    assert_eq!(Value::str("maybe").as_bool_lenient(), None);
    let words = [" TRUE ", "True", "true", "1", "FALSE", "False", "false", "0", "tRUE", "yes", "", "01", "true|"];
    let want = [Some(true), Some(true), Some(true), Some(true), Some(false), Some(false), Some(false), Some(false), None, None, None, None, None];
    assert_eq!(words.map(|w| Value::str(w).as_bool_lenient()), want);
    let v = parse(r#"{"k":1,"k":2}"#).unwrap();
    assert_eq!(v.int("k"), Some(2));
}

#[test]
fn whitespace_between_tokens_only() {
    let v = parse(" {\n\t\"a\" :\r [ 1 , -2.5e+3 ,\"x\" ] , \"b\" : { } , \"c\":[ ] }\n").unwrap();
    assert_eq!(v.to_json(), r#"{"a":[1,-2.5e+3,"x"],"b":{},"c":[]}"#);
    assert_eq!(parse("10011\n    ").unwrap(), Value::Number("10011".into()), "a number ends before the whitespace after it");
    for bad in ["1 .5", "- 1", "1e +5", "1. 5", r#""\ud83d \ude00""#, "[1 2]", "{\"a\":1 \"b\":2}", "tr ue"] {
        assert!(matches!(parse(bad), Err(JsonError::Syntax(_))), "{bad:?}");
    }
}
