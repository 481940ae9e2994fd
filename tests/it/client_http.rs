//! Integration tests: client_http.
