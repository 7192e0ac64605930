//! The hotel's staff chat REST API (contract: `../shared/contract/README.md`).

pub mod client;
pub mod error;
pub mod json;
pub mod models;
pub mod staff_models;

pub use client::{
    ApiConfig, AuthScheme, Delivery, PathForm, ReplyIdentity, StaffApi, UploadFile, login,
};
pub use error::{ApiError, ErrorKind};
pub use models::*;
