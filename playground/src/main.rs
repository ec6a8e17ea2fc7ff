//! The page's entry point; everything else is in the library, where the
//! browser tests can reach it.

fn main() {
    playground::run();
}
