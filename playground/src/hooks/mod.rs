//! Custom hooks: the simulation's state and its clock.

mod use_playground;
mod use_sim_clock;

pub use use_playground::{use_playground, PlaygroundHandle};
pub use use_sim_clock::use_sim_clock;
