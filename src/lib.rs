//! frontdesk: a terminal inbox for hotel front-office staff.

pub mod api;
pub mod app;
pub mod cli;
pub mod config;
pub mod desk_log;
pub mod files;
pub mod hand_off;
pub mod history;
pub mod inbox;
pub mod live;
pub mod log;
pub mod model;
pub mod names;
pub mod popup;
pub mod store;
pub mod text;
pub mod thanks;
pub mod theme;
pub mod trust;
pub mod tui;
pub mod ui;
