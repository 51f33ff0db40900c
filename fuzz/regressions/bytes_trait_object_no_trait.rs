fn main() {
    lnox<for<'aopc::Fn(&'const a str) d, i
}
