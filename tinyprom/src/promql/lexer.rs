//! Query text to tokens. (To be written.)
