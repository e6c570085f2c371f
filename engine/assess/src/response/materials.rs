use serde::{Deserialize, Serialize};

use floodgrid_model::grid::{MaterialIdx, Site, SiteIdx};

/// What one depot gives towards one material line.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MaterialDraw {
    /// The depot.
    pub depot: SiteIdx,
    /// Quantity taken.
    pub quantity: f64,
}

/// Remaining stock of every depot during one assessment.
#[derive(Debug, Clone)]
pub struct DepotStocks {
    depots: Vec<SiteIdx>,
    /// stock[depot position][material]
    stock: Vec<Vec<f64>>,
    initial: Vec<Vec<f64>>,
}

impl DepotStocks {
    /// Indexes depot stocks.
    pub fn new(sites: &[Site], materials: usize) -> DepotStocks {
        let mut depots = Vec::new();
        let mut stock = Vec::new();
        for (i, s) in sites.iter().enumerate() {
            if s.stock.is_empty() {
                continue;
            }
            let mut row = vec![0.0; materials];
            for &(m, q) in &s.stock {
                if let Some(v) = row.get_mut(m.ix()) {
                    *v += q;
                }
            }
            depots.push(SiteIdx(i as u32));
            stock.push(row);
        }
        DepotStocks {
            depots,
            initial: stock.clone(),
            stock,
        }
    }

    /// The depots with stock, in site order.
    pub fn depots(&self) -> &[SiteIdx] {
        &self.depots
    }

    /// Restores the initial stocks.
    pub fn reset(&mut self) {
        self.stock.clone_from(&self.initial);
    }

    /// Total stock of a material across depots at the start.
    pub fn total(&self, m: MaterialIdx) -> f64 {
        self.initial
            .iter()
            .map(|r| r.get(m.ix()).copied().unwrap_or(0.0))
            .sum()
    }

    /// Draws `quantity` of `m` from depots in the given order (positions into [`Self::depots`]),
    /// nearest first. Returns the draws and the quantity left short.
    pub fn draw(
        &mut self,
        m: MaterialIdx,
        quantity: f64,
        order: &[u32],
        out: &mut Vec<MaterialDraw>,
    ) -> f64 {
        let mut left = quantity;
        for &pos in order {
            if left <= 0.0 {
                break;
            }
            let Some(row) = self.stock.get_mut(pos as usize) else {
                continue;
            };
            let Some(have) = row.get_mut(m.ix()) else {
                continue;
            };
            if *have <= 0.0 {
                continue;
            }
            let take = have.min(left);
            *have -= take;
            left -= take;
            out.push(MaterialDraw {
                depot: self.depots[pos as usize],
                quantity: take,
            });
        }
        left.max(0.0)
    }
}
