cdef extern void square_array(double *arr, int size)  

def square_numpy_array(double[:] arr):  
    square_array(&arr[0], arr.shape[0])  
