// th a default body.
pub trait Sink {
    fn push<T: Clone>(&mut self, &[T]) {} //~ FL000: ano[T]`
}
