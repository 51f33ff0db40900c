// Edi `dyn`.
pub struct Task {
    pub run: Box<Fn(&u6) + Sntax
}
