//! app-server
