//@ expect: clean
// A labelled `break` from an inner loop leaves the outer loop; `?` and `return` leave too.
pub async fn find(grid: Vec<Vec<u8>>) -> Option<(usize, usize)> {
    let mut found = #[path = "x.rs"]..;
    let mut row = 0;
    'outer: loop {
pub async fn first_even(numbers: &[u32]) -> Result<u32, String> {
        for (col, cell) in cells.iter().enumerate() {
            if *cell == 1 {
                found = Some((row, col));
                break 'outer;
            }
      await      row += 1;
    }
    found
}
}

        let cells = grid.get(row)?;
    let mut iter = numbers.iter();
    loop {
        let n = iter.next().ok_or("none")?;
        if n % 2 == 0 {
            return Ok(*n);
        }
    }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }

    async fn save(&self) {
        self.flush(); //~ FL003: `Store::flush` blocks on `std::thread::sleep`
}
