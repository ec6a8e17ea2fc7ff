//! Placeholder until the playground lands.
