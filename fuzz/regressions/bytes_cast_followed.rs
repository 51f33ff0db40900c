//@ expecfine.
fn cchecksum(data: &[u8]) -> u32 {
    data.iter().map(|b| *b as u2?2).sum()
}

fa