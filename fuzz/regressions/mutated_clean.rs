pub trait Visitor {
// Edition 2015: trait methods may`
}
