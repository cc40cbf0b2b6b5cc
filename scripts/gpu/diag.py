# Vulkan and EGL as the C loaders see them, independent of Node/Dawn (ctypes only).
import ctypes, ctypes.util, json, os, sys

def vulkan():
    try:
        vk = ctypes.CDLL('libvulkan.so.1')
    except OSError as e:
        return {'vulkan': f'libvulkan.so.1: {e}'}
    class AppInfo(ctypes.Structure):
        _fields_ = [('sType', ctypes.c_int), ('pNext', ctypes.c_void_p), ('pApplicationName', ctypes.c_char_p), ('applicationVersion', ctypes.c_uint32), ('pEngineName', ctypes.c_char_p), ('engineVersion', ctypes.c_uint32), ('apiVersion', ctypes.c_uint32)]
    class CreateInfo(ctypes.Structure):
        _fields_ = [('sType', ctypes.c_int), ('pNext', ctypes.c_void_p), ('flags', ctypes.c_uint32), ('pApplicationInfo', ctypes.POINTER(AppInfo)), ('enabledLayerCount', ctypes.c_uint32), ('ppEnabledLayerNames', ctypes.c_void_p), ('enabledExtensionCount', ctypes.c_uint32), ('ppEnabledExtensionNames', ctypes.c_void_p)]
    app = AppInfo(0, None, b'diag', 1, b'diag', 1, (1 << 22) | (1 << 12))
    ci = CreateInfo(1, None, 0, ctypes.pointer(app), 0, None, 0, None)
    inst = ctypes.c_void_p()
    r = vk.vkCreateInstance(ctypes.byref(ci), None, ctypes.byref(inst))
    if r != 0:
        return {'vulkan': f'vkCreateInstance -> {r} (-9 = VK_ERROR_INCOMPATIBLE_DRIVER: no ICD found/loaded)'}
    n = ctypes.c_uint32(0)
    vk.vkEnumeratePhysicalDevices(inst, ctypes.byref(n), None)
    devs = (ctypes.c_void_p * n.value)()
    vk.vkEnumeratePhysicalDevices(inst, ctypes.byref(n), devs)
    out = []
    for d in devs:
        buf = ctypes.create_string_buffer(1024)  # VkPhysicalDeviceProperties (824 bytes)
        vk.vkGetPhysicalDeviceProperties(ctypes.c_void_p(d), buf)
        api, drv, vendor, device, dtype = [int.from_bytes(buf.raw[i*4:i*4+4], 'little') for i in range(5)]
        name = buf.raw[20:20+256].split(b'\0')[0].decode()
        out.append({'name': name, 'api': f'{api>>22}.{(api>>12)&0x3ff}.{api&0xfff}', 'driverVersion': hex(drv), 'vendorID': hex(vendor), 'type': ['other','integrated','discrete','virtual','cpu'][dtype] if dtype < 5 else dtype})
    vk.vkDestroyInstance(inst, None)
    return {'vulkan': out}

def egl():
    try:
        e = ctypes.CDLL('libEGL.so.1')
    except OSError as x:
        return {'egl': f'libEGL.so.1: {x}'}
    e.eglGetDisplay.restype = ctypes.c_void_p
    e.eglQueryString.restype = ctypes.c_char_p
    e.eglQueryString.argtypes = [ctypes.c_void_p, ctypes.c_int]
    e.eglInitialize.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    res = {}
    # EGL_PLATFORM_DEVICE_EXT via eglGetPlatformDisplay would need eglQueryDevicesEXT; the default display is what Dawn uses.
    dpy = e.eglGetDisplay(ctypes.c_void_p(0))
    major, minor = ctypes.c_int(), ctypes.c_int()
    ok = e.eglInitialize(dpy, ctypes.byref(major), ctypes.byref(minor)) if dpy else 0
    res['default_display'] = {'initialized': bool(ok), 'version': f'{major.value}.{minor.value}', 'EGL_PLATFORM': os.environ.get('EGL_PLATFORM')}
    if ok:
        res['default_display']['vendor'] = (e.eglQueryString(dpy, 0x3053) or b'').decode()  # EGL_VENDOR
        res['default_display']['client_apis'] = (e.eglQueryString(dpy, 0x308D) or b'').decode()
        e.eglTerminate(ctypes.c_void_p(dpy))
    else:
        res['default_display']['error'] = hex(e.eglGetError())
    return {'egl': res}

for f in (vulkan, egl):
    try:
        print(json.dumps(f()))
    except Exception as x:
        print(json.dumps({f.__name__: f'crashed: {x!r}'}))
    sys.stdout.flush()
