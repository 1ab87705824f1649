//! The C ABI the JavaScript loader calls: allocate a buffer, write the request into it,
//! call, read the response. One response is kept until the next call.
//!
//! A panic cannot unwind here (`panic = "abort"`: the instance traps); the hook keeps its
//! message first, so the loader can throw it and start a fresh instance.

use std::cell::RefCell;

thread_local! {
    static RESPONSE: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static PANIC: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// A buffer of `len` bytes for the request; `sblint_call` takes it back.
#[no_mangle]
pub extern "C" fn sblint_alloc(len: usize) -> *mut u8 {
    let mut buffer = Vec::<u8>::with_capacity(len.max(1));
    let ptr = buffer.as_mut_ptr();
    std::mem::forget(buffer);
    ptr
}

/// Answers the request of `len` bytes at `ptr` (from `sblint_alloc(len)`, which this
/// frees); the response is at `sblint_response_ptr()`, `sblint_response_len()` bytes.
///
/// # Safety
/// `ptr` must come from `sblint_alloc(len)` and hold `len` initialised bytes.
#[no_mangle]
pub unsafe extern "C" fn sblint_call(ptr: *mut u8, len: usize) {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let text = info.to_string();
            PANIC.with(|p| *p.borrow_mut() = text.into_bytes());
        }))
    });
    // SAFETY: the caller passes back a buffer of ours, filled to `len`.
    let request = unsafe { Vec::from_raw_parts(ptr, len, len.max(1)) };
    let response = crate::respond(&request);
    drop(request);
    RESPONSE.with(|r| *r.borrow_mut() = response.into_bytes());
}

#[no_mangle]
pub extern "C" fn sblint_response_ptr() -> *const u8 {
    RESPONSE.with(|r| r.borrow().as_ptr())
}

#[no_mangle]
pub extern "C" fn sblint_response_len() -> usize {
    RESPONSE.with(|r| r.borrow().len())
}

/// The message of the panic that trapped the instance (empty if none).
#[no_mangle]
pub extern "C" fn sblint_panic_ptr() -> *const u8 {
    PANIC.with(|p| p.borrow().as_ptr())
}

#[no_mangle]
pub extern "C" fn sblint_panic_len() -> usize {
    PANIC.with(|p| p.borrow().len())
}
