//! A category's [`Rules`] read through the catalog port. Apart from
//! [`crate::sla::clocks`] so the clocks, which are part of every ticket, need no
//! port.

use crate::ports::error::StoreError;
use crate::ports::{Categories, SlaPolicies};
use crate::sla::clocks::Rules;
use crate::values::ids::CategoryId;

impl Rules {
    /// The rules of a category, read through the (cached) catalog.
    pub async fn load<C: Categories + SlaPolicies + ?Sized>(
        catalog: &C,
        category: &CategoryId,
    ) -> Result<Self, StoreError> {
        let category = catalog.category(category).await?;
        let policy = match &category {
            Some(c) => catalog.policy(&c.sla_policy).await?,
            None => None,
        };
        Ok(Self::new(category.as_ref(), policy))
    }
}
