//! Custom hooks: the simulation's state and its clock, and live mode's
//! wall clock.

mod use_playground;
mod use_sim_clock;
mod use_wall_clock;

pub use use_playground::{use_playground, PlaygroundHandle};
pub use use_sim_clock::use_sim_clock;
pub use use_wall_clock::use_wall_clock;
