package document

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sync"

	"github.com/tetratelabs/wazero/api"
)

// The PDFium C functions sheaf calls, by index into pdfium.fns.
const (
	fnMalloc = iota
	fnFree
	fnLoadMemDocument
	fnGetLastError
	fnCloseDocument
	fnGetPageCount
	fnLoadPage
	fnClosePage
	fnGetPageWidthF
	fnGetPageHeightF
	fnPageToDevice
	fnTextLoadPage
	fnTextClosePage
	fnTextCountChars
	fnTextGetUnicode
	fnTextGetLooseCharBox
	fnTextGetCharBox
	fnTextHasUnicodeMapError
	fnTextGetCharAngle
	fnPageCountObjects
	fnPageGetObject
	fnPageObjGetType
	fnPageObjGetBounds
	fnFormObjCountObjects
	fnFormObjGetObject
	fnBitmapCreateEx
	fnBitmapFillRect
	fnBitmapGetBuffer
	fnBitmapGetStride
	fnBitmapDestroy
	fnRenderPageBitmap
	fnPageFlatten
	fnCount
)

// pdfiumFunctions names the exports of pdfium.wasm by fn index.
var pdfiumFunctions = [fnCount]string{
	fnMalloc:                 "malloc",
	fnFree:                   "free",
	fnLoadMemDocument:        "FPDF_LoadMemDocument",
	fnGetLastError:           "FPDF_GetLastError",
	fnCloseDocument:          "FPDF_CloseDocument",
	fnGetPageCount:           "FPDF_GetPageCount",
	fnLoadPage:               "FPDF_LoadPage",
	fnClosePage:              "FPDF_ClosePage",
	fnGetPageWidthF:          "FPDF_GetPageWidthF",
	fnGetPageHeightF:         "FPDF_GetPageHeightF",
	fnPageToDevice:           "FPDF_PageToDevice",
	fnTextLoadPage:           "FPDFText_LoadPage",
	fnTextClosePage:          "FPDFText_ClosePage",
	fnTextCountChars:         "FPDFText_CountChars",
	fnTextGetUnicode:         "FPDFText_GetUnicode",
	fnTextGetLooseCharBox:    "FPDFText_GetLooseCharBox",
	fnTextGetCharBox:         "FPDFText_GetCharBox",
	fnTextHasUnicodeMapError: "FPDFText_HasUnicodeMapError",
	fnTextGetCharAngle:       "FPDFText_GetCharAngle",
	fnPageCountObjects:       "FPDFPage_CountObjects",
	fnPageGetObject:          "FPDFPage_GetObject",
	fnPageObjGetType:         "FPDFPageObj_GetType",
	fnPageObjGetBounds:       "FPDFPageObj_GetBounds",
	fnFormObjCountObjects:    "FPDFFormObj_CountObjects",
	fnFormObjGetObject:       "FPDFFormObj_GetObject",
	fnBitmapCreateEx:         "FPDFBitmap_CreateEx",
	fnBitmapFillRect:         "FPDFBitmap_FillRect",
	fnBitmapGetBuffer:        "FPDFBitmap_GetBuffer",
	fnBitmapGetStride:        "FPDFBitmap_GetStride",
	fnBitmapDestroy:          "FPDFBitmap_Destroy",
	fnRenderPageBitmap:       "FPDF_RenderPageBitmap",
	fnPageFlatten:            "FPDFPage_Flatten",
}

// PDFium's FPDF_GetLastError codes.
const (
	pdfErrFile     = 2
	pdfErrFormat   = 3
	pdfErrPassword = 4
	pdfErrSecurity = 5
)

// pdfium calls the C API of one instantiated pdfium.wasm module directly.
//
// go-pdfium instantiates the module (WASI, Emscripten imports,
// FPDF_InitLibrary) and pools instances; its typed per-call wrappers, though,
// look each export up by name, allocate and lock on every call and watch the
// worker's context with a goroutine per call, which makes reading a page
// character by character three times slower than the ~25 ms/page budget. So
// sheaf resolves the exports once and calls them itself: cheap calls
// (per-character getters) run under context.Background, and the calls that
// can take long (loading a document or page, laying out text, rendering)
// under the caller's context, which closes the module when it ends (the
// runtime is built with WithCloseOnContextDone).
//
// A pdfium is used by one goroutine at a time.
type pdfium struct {
	mod api.Module
	mem api.Memory
	fns [fnCount]api.Function
	// scratch is 32 bytes of module memory for out-parameters.
	scratch uint32
}

// bindPDFium resolves the exports of the module behind a go-pdfium
// WebAssembly instance, whose GetImplementation returns a struct with an
// exported Module field (go-pdfium v1.19.0).
func bindPDFium(impl any) (*pdfium, error) {
	v := reflect.ValueOf(impl)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil, fmt.Errorf("binding pdfium: unexpected implementation %T", impl)
	}
	f := v.FieldByName("Module")
	if !f.IsValid() || !f.CanInterface() {
		return nil, fmt.Errorf("binding pdfium: %T has no exported Module field", impl)
	}
	mod, ok := f.Interface().(api.Module)
	if !ok || mod == nil {
		return nil, fmt.Errorf("binding pdfium: %T has no wazero Module", impl)
	}
	p := &pdfium{mod: mod, mem: mod.Memory()}
	for i, name := range pdfiumFunctions {
		if p.fns[i] = mod.ExportedFunction(name); p.fns[i] == nil {
			return nil, fmt.Errorf("binding pdfium: pdfium.wasm does not export %s", name)
		}
	}
	ptr, err := p.malloc(32)
	if err != nil {
		return nil, fmt.Errorf("binding pdfium: %w", err)
	}
	p.scratch = ptr
	return p, nil
}

// wasmMu serialises every entry into PDFium's WebAssembly across all
// instances. wazero v1.11.0 (and its later sources) lazily caches a key on
// function types shared by the instances of one runtime without
// synchronisation, so two instances calling through emscripten's invoke
// trampolines at once race on it (seen with -race, and a torn string could
// crash). Calls are short; Go-side work on pages still overlaps.
var wasmMu sync.Mutex

// call calls export fn and returns its first result (0 for none).
func (p *pdfium) call(ctx context.Context, fn int, args ...uint64) (uint64, error) {
	wasmMu.Lock()
	res, err := p.fns[fn].Call(ctx, args...)
	wasmMu.Unlock()
	if err != nil {
		return 0, fmt.Errorf("pdfium %s: %w", pdfiumFunctions[fn], err)
	}
	if len(res) == 0 {
		return 0, nil
	}
	return res[0], nil
}

// call32 calls a cheap export under context.Background and returns its
// result as a signed 32-bit C int (or a pointer).
func (p *pdfium) call32(fn int, args ...uint64) (int32, error) {
	r, err := p.call(context.Background(), fn, args...)
	return int32(uint32(r)), err
}

// memorySize returns the size of the module's linear memory in bytes.
func (p *pdfium) memorySize() uint64 { return uint64(p.mem.Size()) }

// malloc allocates n bytes of module memory.
func (p *pdfium) malloc(n uint64) (uint32, error) {
	r, err := p.call(context.Background(), fnMalloc, n)
	if err != nil {
		return 0, err
	}
	if r == 0 {
		return 0, errors.New("pdfium: out of memory")
	}
	return uint32(r), nil
}

// free releases memory from malloc; 0 is ignored.
func (p *pdfium) free(ptr uint32) {
	if ptr != 0 {
		_, _ = p.call(context.Background(), fnFree, uint64(ptr))
	}
}

// pdfF64 encodes a float64 argument.
func pdfF64(v float64) uint64 { return math.Float64bits(v) }

// readF32 reads the float32 at ptr.
func (p *pdfium) readF32(ptr uint32) float64 {
	v, _ := p.mem.ReadFloat32Le(ptr)
	return float64(v)
}

// readF64 reads the float64 at ptr.
func (p *pdfium) readF64(ptr uint32) float64 {
	v, _ := p.mem.ReadFloat64Le(ptr)
	return v
}

// readI32 reads the int32 at ptr.
func (p *pdfium) readI32(ptr uint32) int32 {
	v, _ := p.mem.ReadUint32Le(ptr)
	return int32(v)
}

// pdfDoc is a document open in a pdfium module.
type pdfDoc struct {
	handle uint64
	data   uint32 // the file's bytes in module memory, alive as long as the document
}

// openDocument copies data into the module and opens it. A document PDFium
// cannot open returns the FPDF_ERR code with a nil error.
func (p *pdfium) openDocument(ctx context.Context, data []byte) (*pdfDoc, int, error) {
	ptr, err := p.malloc(uint64(max(1, len(data))))
	if err != nil {
		return nil, 0, err
	}
	if !p.mem.Write(ptr, data) {
		p.free(ptr)
		return nil, 0, errors.New("pdfium: writing the document into module memory")
	}
	h, err := p.call(ctx, fnLoadMemDocument, uint64(ptr), uint64(len(data)), 0)
	if err != nil {
		return nil, 0, err
	}
	if h == 0 {
		code, err := p.call32(fnGetLastError)
		p.free(ptr)
		return nil, int(code), err
	}
	return &pdfDoc{handle: h, data: ptr}, 0, nil
}

// closeDocument closes d and frees its bytes.
func (p *pdfium) closeDocument(d *pdfDoc) {
	_, _ = p.call(context.Background(), fnCloseDocument, d.handle)
	p.free(d.data)
}

// pageCount returns the number of pages of d.
func (p *pdfium) pageCount(d *pdfDoc) (int, error) {
	n, err := p.call32(fnGetPageCount, d.handle)
	return int(n), err
}

// loadPage loads page index (0-based) of d; 0 means PDFium could not.
func (p *pdfium) loadPage(ctx context.Context, d *pdfDoc, index int) (uint64, error) {
	return p.call(ctx, fnLoadPage, d.handle, uint64(index))
}

// flattenPage merges the appearance of a page's annotations (filled form
// fields, stamps) into its content, as displayed, and reports whether it
// changed the page, which must then be loaded again.
func (p *pdfium) flattenPage(ctx context.Context, page uint64) (bool, error) {
	const flatNormalDisplay, flattenSuccess = 0, 1
	r, err := p.call(ctx, fnPageFlatten, page, flatNormalDisplay)
	return int32(uint32(r)) == flattenSuccess, err
}

// closePage releases a page from loadPage.
func (p *pdfium) closePage(page uint64) {
	_, _ = p.call(context.Background(), fnClosePage, page)
}

// pageSize returns the size of a page in points as displayed: the crop box,
// with width and height swapped by a /Rotate of 90 or 270.
func (p *pdfium) pageSize(page uint64) (w, h float64, err error) {
	rw, err := p.call(context.Background(), fnGetPageWidthF, page)
	if err != nil {
		return 0, 0, err
	}
	rh, err := p.call(context.Background(), fnGetPageHeightF, page)
	if err != nil {
		return 0, 0, err
	}
	return float64(math.Float32frombits(uint32(rw))), float64(math.Float32frombits(uint32(rh))), nil
}

// pageToDevice maps a point in page space (PDF user space, y up) to a
// device of sx × sy pixels showing the page upright (y down).
func (p *pdfium) pageToDevice(page uint64, sx, sy int, x, y float64) (dx, dy float64, err error) {
	out := p.scratch
	ok, err := p.call32(fnPageToDevice, page, 0, 0, uint64(sx), uint64(sy), 0, pdfF64(x), pdfF64(y), uint64(out), uint64(out+4))
	if err != nil {
		return 0, 0, err
	}
	if ok == 0 {
		return 0, 0, errors.New("pdfium: FPDF_PageToDevice failed")
	}
	return float64(p.readI32(out)), float64(p.readI32(out + 4)), nil
}
