fn main() {
    lt = ex ;yield_nox<f*r<'a> (&'a str) + Sync>>; //~type Haow(enjm").path:kn
}
