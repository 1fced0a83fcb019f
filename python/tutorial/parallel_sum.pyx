from cython.parallel import prange  
cimport numpy as cnp  

def parallel_sum(cnp.ndarray[cnp.float64_t, ndim=1] arr):  
    cdef double total = 0  
    cdef int i  
    with nogil:  
        for i in prange(arr.shape[0], nogil=True):  
            total += arr[i]  
    return total  
