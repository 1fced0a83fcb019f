import numpy as np  
cimport numpy as cnp  

def sum_array(cnp.ndarray[cnp.float64_t, ndim=1] arr):  
    cdef double total = 0  
    cdef int i  
    for i in range(arr.shape[0]):  
        total += arr[i]  
    return total  
