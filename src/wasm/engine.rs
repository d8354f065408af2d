//! The shard engine's JS adapter (`--features engine`, built as its own
//! `.wasm` so that the producer's stays small).

use wasm_bindgen::prelude::*;

use crate::engine::{Engine, EngineConfig};
use crate::time::Timestamp;

use super::coded_error;

/// The engine; `js/engine.js` wraps it as `ShardEngine`.
#[wasm_bindgen(js_name = "__ShardEngine")]
pub struct WasmEngine(Engine);

#[wasm_bindgen(js_class = "__ShardEngine")]
impl WasmEngine {
    /// An engine with these limits (per shard and second).
    #[wasm_bindgen(constructor)]
    pub fn new(
        throttling: bool,
        write_records_per_sec: u32,
        write_bytes_per_sec: u32,
        read_calls_per_sec: u32,
        read_bytes_per_sec: u32,
        account_id: &str,
        region: &str,
    ) -> WasmEngine {
        WasmEngine(Engine::new(EngineConfig {
            throttling,
            write_records_per_sec,
            write_bytes_per_sec,
            read_calls_per_sec,
            read_bytes_per_sec,
            account_id: account_id.to_owned(),
            region: region.to_owned(),
            ..EngineConfig::default()
        }))
    }

    /// Answers one JSON 1.1 request at time `now_ms`: the status as two
    /// bytes (big-endian), then the body.
    pub fn handle(&mut self, now_ms: f64, target: &str, body: &[u8]) -> Result<Vec<u8>, JsValue> {
        let now = Timestamp::from_millis_f64(now_ms).ok_or_else(|| {
            coded_error("InvalidArgumentException", "the engine's clock gave an invalid time")
        })?;
        let r = self.0.handle(now, target, body);
        let mut out = Vec::with_capacity(r.body.len() + 2);
        out.extend_from_slice(&r.status.to_be_bytes());
        out.extend_from_slice(&r.body);
        Ok(out)
    }
}
