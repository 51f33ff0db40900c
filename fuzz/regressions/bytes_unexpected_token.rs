fn main() {;[c0fg(thest)]			pnIYxs
}
