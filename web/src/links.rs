//! Building and checking the links pages print: query values percent-encoded, and
//! return addresses accepted only when they stay on this site (no open redirect).

/// Percent-encodes `value` for a query string.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// `target` if it is a path on this site (`/…`, not `//host` nor `/\host`), else `/`.
pub fn local_return(target: Option<&str>) -> String {
    match target {
        Some(t)
            if t.starts_with('/')
                && !t.starts_with("//")
                && !t.starts_with("/\\")
                && !t.chars().any(char::is_control) =>
        {
            t.to_owned()
        }
        _ => "/".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_addresses_stay_on_the_site() {
        assert_eq!(
            local_return(Some("/concertations/x?a=1")),
            "/concertations/x?a=1"
        );
        assert_eq!(local_return(Some("//evil.example/")), "/");
        assert_eq!(local_return(Some("/\\evil.example")), "/");
        assert_eq!(local_return(Some("https://evil.example/")), "/");
        assert_eq!(local_return(Some("/a\nb")), "/");
        assert_eq!(local_return(None), "/");
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(encode("/a b?c=d&e"), "/a%20b%3Fc%3Dd%26e");
        assert_eq!(encode("é"), "%C3%A9");
    }
}
