//! The bundled demo hotel server: the staff chat contract and the Pusher protocol on loopback.

pub mod hotel;
pub mod profile;
pub mod pusher;
pub mod server;
mod staff_wire;
mod wire;

pub use hotel::SeedOptions;
pub use profile::Profile;
pub use server::{DemoConfig, Faults, RunningDemo, ServedPaths, start};
