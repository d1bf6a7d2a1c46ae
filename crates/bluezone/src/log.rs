//! The encounter log: the sightings a phone recorded, in columns.

use crate::published::check_row_count;
use crate::{Error, Result};

/// One sighting, as [`EncounterLog::get`] returns it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sighting<'a> {
    /// The ID heard.
    pub id: &'a [u8],
    /// When, in seconds since the Unix epoch.
    pub time: i64,
    /// Received signal strength, in dBm.
    pub rssi: i8,
    /// The sender's transmit power, in dBm, when known.
    pub tx_power: Option<i8>,
    /// How long the ID was heard, in seconds, when known.
    pub duration: Option<u32>,
}

/// A phone's log of sightings: IDs heard, when, and how strongly.
///
/// The IDs are stored back to back (12 or 16 bytes each, by scheme) and
/// every other field in its own column; building a log from columns copies
/// them once and allocates nothing per row.
///
/// ```
/// use bluezone::EncounterLog;
///
/// let ids = [[1u8; 16], [2u8; 16]].concat();
/// let log = EncounterLog::from_columns(16, &ids, &[1_000, 1_060], &[-60, -75])?;
/// assert_eq!(log.len(), 2);
/// assert_eq!(log.get(1).unwrap().rssi, -75);
/// # Ok::<(), bluezone::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EncounterLog {
    id_len: usize,
    ids: Vec<u8>,
    times: Vec<i64>,
    rssi: Vec<i8>,
    tx_power: Option<Vec<Option<i8>>>,
    duration: Option<Vec<Option<u32>>>,
}

impl EncounterLog {
    /// An empty log of IDs of `id_len` bytes.
    ///
    /// # Errors
    /// [`Error::IdLength`] when `id_len` is not 12 or 16.
    pub fn new(id_len: usize) -> Result<Self> {
        if id_len != 12 && id_len != 16 {
            return Err(Error::IdLength {
                expected: 16,
                found: id_len,
            });
        }
        Ok(Self {
            id_len,
            ..Self::default()
        })
    }

    /// Builds a log from columns: `ids` holds the IDs back to back, and
    /// `times` and `rssi` one value per ID.
    ///
    /// # Errors
    /// [`Error::IdLength`] when `ids` is not a whole number of IDs,
    /// [`Error::ColumnLength`] when the columns differ in length.
    pub fn from_columns(id_len: usize, ids: &[u8], times: &[i64], rssi: &[i8]) -> Result<Self> {
        let mut log = Self::new(id_len)?;
        if !ids.len().is_multiple_of(id_len) {
            return Err(Error::IdLength {
                expected: id_len,
                found: ids.len() % id_len,
            });
        }
        let rows = ids.len() / id_len;
        check_column("time", rows, times.len())?;
        check_column("rssi", rows, rssi.len())?;
        check_row_count(rows)?;
        log.ids = ids.to_vec();
        log.times = times.to_vec();
        log.rssi = rssi.to_vec();
        Ok(log)
    }

    /// Adds the transmit-power column (one value per sighting, `None` where
    /// unknown).
    ///
    /// # Errors
    /// [`Error::ColumnLength`] when its length is not the log's.
    pub fn with_tx_power(mut self, tx_power: Vec<Option<i8>>) -> Result<Self> {
        check_column("tx_power", self.len(), tx_power.len())?;
        self.tx_power = Some(tx_power);
        Ok(self)
    }

    /// Adds the duration column (seconds, one value per sighting, `None`
    /// where unknown).
    ///
    /// # Errors
    /// [`Error::ColumnLength`] when its length is not the log's.
    pub fn with_duration(mut self, duration: Vec<Option<u32>>) -> Result<Self> {
        check_column("duration", self.len(), duration.len())?;
        self.duration = Some(duration);
        Ok(self)
    }

    /// Adds one sighting.
    ///
    /// # Errors
    /// [`Error::IdLength`] for an ID of the wrong length,
    /// [`Error::TooManyRows`] past `u32::MAX` sightings.
    pub fn push(&mut self, sighting: &Sighting<'_>) -> Result<()> {
        if sighting.id.len() != self.id_len {
            return Err(Error::IdLength {
                expected: self.id_len,
                found: sighting.id.len(),
            });
        }
        check_row_count(self.len() + 1)?;
        let rows = self.len();
        if sighting.tx_power.is_some() && self.tx_power.is_none() {
            self.tx_power = Some(vec![None; rows]);
        }
        if sighting.duration.is_some() && self.duration.is_none() {
            self.duration = Some(vec![None; rows]);
        }
        if let Some(column) = &mut self.tx_power {
            column.push(sighting.tx_power);
        }
        if let Some(column) = &mut self.duration {
            column.push(sighting.duration);
        }
        self.ids.extend_from_slice(sighting.id);
        self.times.push(sighting.time);
        self.rssi.push(sighting.rssi);
        Ok(())
    }

    /// The length of the log's IDs, in bytes.
    #[must_use]
    pub fn id_len(&self) -> usize {
        self.id_len
    }

    /// The number of sightings.
    #[must_use]
    pub fn len(&self) -> usize {
        self.times.len()
    }

    /// Whether the log is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// The sighting at `index`, or `None` past the end.
    #[must_use]
    pub fn get(&self, index: usize) -> Option<Sighting<'_>> {
        Some(Sighting {
            id: self.id(index)?,
            time: self.times[index],
            rssi: self.rssi[index],
            tx_power: self.tx_power.as_ref().and_then(|c| c[index]),
            duration: self.duration.as_ref().and_then(|c| c[index]),
        })
    }

    /// The sightings one after the other.
    ///
    /// # Panics
    /// Never: every index below `len` has a row.
    #[must_use]
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Sighting<'_>> + '_ {
        (0..self.len()).map(|index| self.get(index).expect("every index below len has a row"))
    }

    /// The ID of the sighting at `index`.
    #[must_use]
    pub fn id(&self, index: usize) -> Option<&[u8]> {
        self.ids.get(index * self.id_len..(index + 1) * self.id_len)
    }

    /// The IDs, back to back.
    #[must_use]
    pub fn id_bytes(&self) -> &[u8] {
        &self.ids
    }

    /// The times, in seconds since the Unix epoch.
    #[must_use]
    pub fn times(&self) -> &[i64] {
        &self.times
    }

    /// The received signal strengths, in dBm.
    #[must_use]
    pub fn rssi(&self) -> &[i8] {
        &self.rssi
    }

    /// The transmit powers, when the log has them.
    #[must_use]
    pub fn tx_power(&self) -> Option<&[Option<i8>]> {
        self.tx_power.as_deref()
    }

    /// The durations, when the log has them.
    #[must_use]
    pub fn duration(&self) -> Option<&[Option<u32>]> {
        self.duration.as_deref()
    }

    /// Bytes of memory that the columns hold.
    #[must_use]
    pub fn heap_size(&self) -> usize {
        self.ids.capacity()
            + 8 * self.times.capacity()
            + self.rssi.capacity()
            + self.tx_power.as_ref().map_or(0, |c| 2 * c.capacity())
            + self.duration.as_ref().map_or(0, |c| 8 * c.capacity())
    }
}

fn check_column(column: &'static str, expected: usize, found: usize) -> Result<()> {
    if expected == found {
        Ok(())
    } else {
        Err(Error::ColumnLength {
            column,
            expected,
            found,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_must_agree() {
        assert_eq!(
            EncounterLog::from_columns(16, &[0; 32], &[1], &[0, 0]),
            Err(Error::ColumnLength {
                column: "time",
                expected: 2,
                found: 1
            })
        );
        assert_eq!(
            EncounterLog::from_columns(12, &[0; 13], &[1], &[0]),
            Err(Error::IdLength {
                expected: 12,
                found: 1
            })
        );
        assert!(EncounterLog::new(8).is_err());
        let log = EncounterLog::from_columns(12, &[0; 24], &[1, 2], &[0, 0]).unwrap();
        assert!(log.clone().with_tx_power(vec![Some(3)]).is_err());
        let log = log.with_duration(vec![Some(60), None]).unwrap();
        assert_eq!(log.get(0).unwrap().duration, Some(60));
        assert_eq!(log.get(1).unwrap().duration, None);
    }

    #[test]
    fn optional_columns_appear_when_first_given() {
        let mut log = EncounterLog::new(16).unwrap();
        let id = [9u8; 16];
        let plain = Sighting {
            id: &id,
            time: 5,
            rssi: -70,
            tx_power: None,
            duration: None,
        };
        log.push(&plain).unwrap();
        assert!(log.tx_power().is_none());
        log.push(&Sighting {
            tx_power: Some(-8),
            ..plain
        })
        .unwrap();
        assert_eq!(log.tx_power().unwrap(), &[None, Some(-8)]);
        assert!(
            log.push(&Sighting {
                id: &id[..12],
                ..plain
            })
            .is_err()
        );
        assert_eq!(log.iter().count(), 2);
    }
}
