//! An expression back to text, as Prometheus prints it. (To be written.)
